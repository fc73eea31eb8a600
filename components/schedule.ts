/**
 * Office hours: when a dashboard runs. Pure helpers for the `schedule` keys: the checks with their
 * messages, and the Application Auto Scaling cron expressions the service's scheduled actions use.
 */

/** When a dashboard runs, as the stack file says it (resolved over `defaults.schedule`). */
export interface Schedule {
    /** Days it runs, in cron day-of-week names: `MON-FRI`, `MON,WED,FRI`, `*` (every day). */
    days: string;
    /** Start of the hours, `HH:MM` (24 h) in `timeZone`. */
    start: string;
    /** End of the hours, `HH:MM`, later on the same day than `start`. */
    stop: string;
    /** IANA time zone of `start` and `stop`, e.g. `Europe/Zurich`. */
    timeZone: string;
    /** Tasks kept running outside the hours (0: none, the dashboard is asleep). */
    tasksOutside: number;
}

export const SCHEDULE_DEFAULTS = { days: "MON-FRI", timeZone: "UTC", tasksOutside: 0 } as const;

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Why `days` is not a day-of-week list Application Auto Scaling reads, or undefined. */
export function daysProblem(days: string): string | undefined {
    if (days === "*") return undefined;
    const parts = days.length <= 64 ? days.split(",") : [];
    const ok = parts.length > 0 && parts.every((part) => {
        const range = part.split("-");
        if (range.length > 2 || !range.every((d) => DAYS.includes(d))) return false;
        return range.length === 1 || DAYS.indexOf(range[0]) < DAYS.indexOf(range[1]);
    });
    return ok ? undefined : `${JSON.stringify(days.slice(0, 64))} is not a list of days; use names ${DAYS.join(", ")}, ranges such as MON-FRI, lists such as MON,WED,FRI, or * for every day`;
}

/** Why `time` is not `HH:MM` on a 24-hour clock, or undefined. */
export function timeProblem(time: string): string | undefined {
    return TIME.test(time) ? undefined : `${JSON.stringify(time.slice(0, 40))} is not a time of day as HH:MM (00:00 to 23:59)`;
}

/** Why `zone` is not an IANA time zone this runtime (and so AWS) knows, or undefined. */
export function timeZoneProblem(zone: string): string | undefined {
    // Intl carries the IANA database; Application Auto Scaling takes IANA names:
    // https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
    return IANA_NAME.test(zone) && knownToIntl(zone) ? undefined : `${JSON.stringify(zone.slice(0, 64))} is not an IANA time zone such as Europe/Zurich or America/New_York`;
}

/** IANA names are capitalised path segments (`America/Argentina/Buenos_Aires`, `Etc/GMT+9`); Intl itself ignores case. */
const IANA_NAME = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*){0,2}$/;

function knownToIntl(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

/** Minutes after midnight of an `HH:MM` time. */
export function minutesOf(time: string): number {
    const [h, m] = time.split(":").map(Number);
    return h * 60 + m;
}

/**
 * The scheduled action's expression for `time` on `days`:
 * `cron(minutes hours day-of-month month day-of-week year)` with `?` for the day of month.
 */
export function cronAt(time: string, days: string): string {
    const [h, m] = time.split(":").map(Number);
    return `cron(${m} ${h} ? * ${days} *)`;
}

/** How many days a week the list names. */
export function daysPerWeek(days: string): number {
    if (days === "*") return 7;
    return days.split(",").reduce((n, part) => {
        const [from, to] = part.split("-");
        return n + (to ? DAYS.indexOf(to) - DAYS.indexOf(from) + 1 : 1);
    }, 0);
}

/** Hours a week inside the schedule. */
export function hoursPerWeek(schedule: Pick<Schedule, "days" | "start" | "stop">): number {
    return (daysPerWeek(schedule.days) * (minutesOf(schedule.stop) - minutesOf(schedule.start))) / 60;
}
