import { expect } from "chai";
import { portalConfigSchema } from "../src/config.js";
import { renderPortalPage } from "../src/html.js";
import { dayNumbers, openingState } from "../src/hours.js";
import { PORTAL_CONFIG } from "./support/settings.js";

const OFFICE = { days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich", tasksOutside: 0 };
// December 2026: Zurich is UTC+1. 2026-12-02 is a Wednesday, 2026-12-04 a Friday.
const at = (iso: string) => new Date(iso);

describe("office hours in the portal", () => {
    it("reads day lists as the scheduled actions do", () => {
        expect([...dayNumbers("MON-FRI")]).to.deep.equal([1, 2, 3, 4, 5]);
        expect([...dayNumbers("SAT,SUN")].sort()).to.deep.equal([0, 6]);
        expect(dayNumbers("*").size).to.equal(7);
    });

    it("is awake inside the hours, in the schedule's time zone (not the server's)", () => {
        expect(openingState(OFFICE, at("2026-12-02T06:00:00Z"))).to.deep.equal({ asleep: false }); // 07:00 in Zurich
        expect(openingState(OFFICE, at("2026-12-02T18:59:00Z"))).to.deep.equal({ asleep: false }); // 19:59
    });

    it("is asleep outside them and says when it opens: today, tomorrow or the next working day", () => {
        expect(openingState(OFFICE, at("2026-12-02T05:59:00Z"))).to.deep.equal({ asleep: true, opens: "today at 07:00 (Europe/Zurich)" });
        expect(openingState(OFFICE, at("2026-12-02T19:00:00Z"))).to.deep.equal({ asleep: true, opens: "tomorrow at 07:00 (Europe/Zurich)" });
        expect(openingState(OFFICE, at("2026-12-04T19:30:00Z"))).to.deep.equal({ asleep: true, opens: "Monday at 07:00 (Europe/Zurich)" });
        expect(openingState(OFFICE, at("2026-12-05T12:00:00Z"))).to.deep.equal({ asleep: true, opens: "Monday at 07:00 (Europe/Zurich)" });
    });

    it("follows daylight saving time (Zurich is UTC+2 in summer)", () => {
        // 2026-06-03 is a Wednesday; 05:30 UTC is 07:30 in Zurich.
        expect(openingState(OFFICE, at("2026-06-03T05:30:00Z"))).to.deep.equal({ asleep: false });
        expect(openingState(OFFICE, at("2026-06-03T04:30:00Z"))).to.deep.equal({ asleep: true, opens: "today at 07:00 (Europe/Zurich)" });
    });

    it("never calls a dashboard asleep that keeps tasks outside its hours, or has no schedule", () => {
        expect(openingState({ ...OFFICE, tasksOutside: 1 }, at("2026-12-05T12:00:00Z"))).to.deep.equal({ asleep: false });
        expect(openingState(undefined, at("2026-12-05T12:00:00Z"))).to.deep.equal({ asleep: false });
    });

    it("marks an asleep tile with when it opens, and leaves the others as they were", () => {
        const dashboards = [{ ...PORTAL_CONFIG.dashboards[0]!, schedule: OFFICE }, PORTAL_CONFIG.dashboards[1]!];
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards, now: at("2026-12-05T12:00:00Z") });
        expect(page).to.include('<li class="tile asleep">');
        expect(page).to.include("Asleep outside its office hours: opens Monday at 07:00 (Europe/Zurich).");
        expect(page.match(/<li class="tile">/g)).to.have.length(1);
        const awake = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards, now: at("2026-12-02T09:00:00Z") });
        expect(awake).not.to.include("Asleep");
    });

    it("says that a scale-to-zero dashboard sleeps when idle and how long opening it takes", () => {
        const dashboards = [{ ...PORTAL_CONFIG.dashboards[0]!, idleMinutes: 30 }, PORTAL_CONFIG.dashboards[1]!];
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards, now: at("2026-12-02T09:00:00Z") });
        expect(page.match(/Sleeps after 30 minutes without use; if it is asleep, opening it starts it in about a minute\./g)).to.have.length(1);
        const bad = (idleMinutes: unknown) => portalConfigSchema.safeParse({ ...PORTAL_CONFIG, dashboards: [{ ...PORTAL_CONFIG.dashboards[0], idleMinutes }] }).success;
        expect(bad(30)).to.equal(true);
        for (const value of [0, -1, 1.5, "30", 10_000]) expect(bad(value), String(value)).to.equal(false);
    });

    it("refuses a schedule in PORTAL_CONFIG it could not read", () => {
        const bad = (schedule: unknown) => portalConfigSchema.safeParse({ ...PORTAL_CONFIG, dashboards: [{ ...PORTAL_CONFIG.dashboards[0], schedule }] }).success;
        expect(bad(OFFICE)).to.equal(true);
        for (const schedule of [{ ...OFFICE, timeZone: "Mars/Olympus" }, { ...OFFICE, days: "weekdays" }, { ...OFFICE, start: "7:00" }, { ...OFFICE, extra: 1 }]) {
            expect(bad(schedule), JSON.stringify(schedule)).to.equal(false);
        }
    });
});
