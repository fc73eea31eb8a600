import { expect } from "chai";
import { cronAt, daysPerWeek, daysProblem, hoursPerWeek, timeProblem, timeZoneProblem } from "../components/schedule";

describe("office hours (schedule helpers)", () => {
    it("reads day lists as Application Auto Scaling's cron day-of-week field does", () => {
        for (const ok of ["MON-FRI", "MON,WED,FRI", "*", "SUN", "MON-WED,FRI", "SAT,SUN"]) expect(daysProblem(ok), ok).to.equal(undefined);
        expect(daysPerWeek("MON-FRI")).to.equal(5);
        expect(daysPerWeek("MON-WED,FRI")).to.equal(4);
        expect(daysPerWeek("*")).to.equal(7);
    });

    it("refuses what is not a day list, naming what is allowed (and never echoes more than 64 characters)", () => {
        for (const bad of ["", "mon-fri", "FRI-MON", "MON-", "MON--FRI", "MON-TUE-WED", "1-5", "MON FRI", "MON,,FRI", "MON;DROP", "L", "?"]) {
            expect(daysProblem(bad), JSON.stringify(bad)).to.contain("use names SUN, MON, TUE, WED, THU, FRI, SAT");
        }
        const huge = `${"MON,".repeat(100_000)}MON`;
        const started = Date.now();
        const problem = daysProblem(huge)!;
        expect(Date.now() - started).to.be.below(100);
        expect(problem.length).to.be.below(300);
    });

    it("takes times as HH:MM on a 24-hour clock only", () => {
        for (const ok of ["00:00", "07:30", "23:59"]) expect(timeProblem(ok), ok).to.equal(undefined);
        for (const bad of ["24:00", "7:30", "07:60", "07:30:00", "0730", "07:3", " 07:30", "07:30\n", "٠٧:٣٠"]) {
            expect(timeProblem(bad), JSON.stringify(bad)).to.match(/is not a time of day as HH:MM \(00:00 to 23:59\)$/);
        }
    });

    it("knows IANA time zones from the runtime's own database", () => {
        for (const ok of ["UTC", "Europe/Zurich", "America/New_York", "Asia/Kolkata"]) expect(timeZoneProblem(ok), ok).to.equal(undefined);
        for (const bad of ["CET+1", "Europe/Atlantis", "europe/zurich", "../etc/passwd", "", "GMT+25"]) {
            expect(timeZoneProblem(bad), bad).to.contain("is not an IANA time zone such as Europe/Zurich");
        }
    });

    it("writes the scheduled actions' cron expressions, and counts the hours a week they keep a dashboard on", () => {
        expect(cronAt("07:05", "MON-FRI")).to.equal("cron(5 7 ? * MON-FRI *)");
        expect(cronAt("20:00", "*")).to.equal("cron(0 20 ? * * *)");
        expect(hoursPerWeek({ days: "MON-FRI", start: "07:00", stop: "20:00" })).to.equal(65);
        expect(hoursPerWeek({ days: "SAT,SUN", start: "09:30", stop: "12:00" })).to.equal(5);
    });
});
