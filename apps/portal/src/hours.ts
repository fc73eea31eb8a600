/**
 * Office hours as the portal shows them: is a dashboard in its hours now, and if not, when it
 * opens. The schedule comes from the stack file (PORTAL_CONFIG); the scheduled actions that really
 * start and stop the service use the same days, times and time zone.
 */
import type { Dashboard } from "./config.js";

export type DashboardSchedule = NonNullable<Dashboard["schedule"]>;

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The days a list such as `MON-FRI`, `MON,WED,FRI` or `*` names, as 0 (Sunday) to 6. */
export function dayNumbers(days: string): Set<number> {
    if (days === "*") return new Set(DAYS.keys());
    const out = new Set<number>();
    for (const part of days.split(",")) {
        const [from, to] = part.split("-").map((d) => DAYS.indexOf(d));
        for (let d = from!; d <= (to ?? from!); d++) if (d >= 0) out.add(d);
    }
    return out;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Weekday (0-6) and minutes after midnight of `now` in `timeZone`. */
function localTime(now: Date, timeZone: string): { day: number; minutes: number } {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return { day: DAYS.indexOf(part("weekday").toUpperCase()), minutes: Number(part("hour")) * 60 + Number(part("minute")) };
}

export type OpeningState = { asleep: false } | { asleep: true; opens: string };

/**
 * Whether a dashboard on `schedule` is asleep at `now`, and when it opens ("today at 07:00",
 * "Monday at 07:00"), in its time zone. A dashboard that keeps tasks outside its hours never sleeps.
 */
export function openingState(schedule: DashboardSchedule | undefined, now: Date): OpeningState {
    if (!schedule || schedule.tasksOutside > 0) return { asleep: false };
    const days = dayNumbers(schedule.days);
    const { day, minutes } = localTime(now, schedule.timeZone);
    const start = minutesOf(schedule.start);
    if (days.has(day) && minutes >= start && minutes < minutesOf(schedule.stop)) return { asleep: false };
    for (let ahead = 0; ahead <= 7; ahead++) {
        const d = (day + ahead) % 7;
        if (!days.has(d) || (ahead === 0 && minutes >= start)) continue;
        const when = ahead === 0 ? "today" : ahead === 1 ? "tomorrow" : DAY_NAMES[d];
        return { asleep: true, opens: `${when} at ${schedule.start} (${schedule.timeZone})` };
    }
    return { asleep: true, opens: `at ${schedule.start} (${schedule.timeZone})` };
}
