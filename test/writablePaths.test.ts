import { expect } from "chai";
import { ALWAYS_WRITABLE, MAX_WRITABLE_PATHS, writableMounts, writablePathProblem, writablePathsProblems } from "../components/writablePaths";

describe("writablePaths: the folders a container may write with a read-only root", () => {
    it("accepts absolute folder paths an app writes", () => {
        for (const p of ["/app/cache", "/app/instance", "/var/run/app", "/home/app/.streamlit", "/data", "/app/my_files-2.0"]) {
            expect(writablePathProblem(p), p).to.equal(undefined);
        }
    });

    it("refuses what is not an absolute folder path: relative, trailing slash, empty segments, spaces, wildcards, other characters", () => {
        for (const p of ["app/cache", "/app/", "//app", "/app//cache", "/app cache", "/app/*", "/app/$HOME", "", "/", "/app/\u00e9t\u00e9", "/app\n/x"]) {
            expect(writablePathProblem(p), JSON.stringify(p)).to.match(/is not an absolute folder path/);
        }
        expect(writablePathProblem(42)).to.equal("is not a string");
        expect(writablePathProblem(`/${"a".repeat(255)}`)).to.match(/256 characters long; at most 255/);
    });

    it("refuses . and .. segments, which would name another folder than they show", () => {
        expect(writablePathProblem("/app/../etc")).to.match(/has a \. or \.\. segment/);
        expect(writablePathProblem("/app/./cache")).to.match(/has a \. or \.\. segment/);
    });

    it("refuses /tmp and folders in it (always writable), the runtime's /proc, /sys and /dev, and the system's program folders", () => {
        expect(writablePathProblem("/tmp")).to.match(/inside \/tmp, which is always writable/);
        expect(writablePathProblem("/tmp/x")).to.match(/inside \/tmp, which is always writable/);
        expect(writablePathProblem("/tmpx"), "a sibling, not inside").to.equal(undefined);
        for (const p of ["/proc", "/proc/self", "/sys/fs", "/dev/shm"]) expect(writablePathProblem(p), p).to.match(/which the container runtime provides/);
        for (const p of ["/usr", "/etc", "/bin", "/lib", "/sbin"]) expect(writablePathProblem(p), p).to.match(/holds the system's programs or settings/);
        expect(writablePathProblem("/usr/local/app-cache"), "a folder under one is the user's choice").to.equal(undefined);
    });

    it("refuses a folder listed twice, or inside another listed one, naming both indexes", () => {
        expect(writablePathsProblems(["/app/cache", "/data", "/app/cache"], "report")).to.deep.equal([{ index: 2, problem: "is listed twice (also index 0)" }]);
        expect(writablePathsProblems(["/app", "/app/cache"], "report")).to.deep.equal([{ index: 1, problem: "is inside /app (index 0), which is writable already; remove one" }]);
        expect(writablePathsProblems(["/app/cache", "/app/cache-old"], "report"), "a shared prefix is not nesting").to.deep.equal([]);
    });

    it("reports entries at their own index, and leaves non-strings to a schema when asked to", () => {
        expect(writablePathsProblems([42, "/tmp"], "report")).to.deep.equal([{ index: 0, problem: "is not a string" }, { index: 1, problem: "is inside /tmp, which is always writable with a read-only root file system; remove it" }]);
        expect(writablePathsProblems([42, "/tmp"], "skip")).to.deep.equal([{ index: 1, problem: "is inside /tmp, which is always writable with a read-only root file system; remove it" }]);
    });

    it(`refuses more than ${MAX_WRITABLE_PATHS} folders, and says so alone and at once for a huge list (the pairwise checks are skipped)`, () => {
        const ok = Array.from({ length: MAX_WRITABLE_PATHS }, (_, i) => `/app/f${i}`);
        expect(writablePathsProblems(ok, "report")).to.deep.equal([]);
        expect(writablePathsProblems([...ok, "/app/more"], "report")).to.deep.equal([{ problem: `lists 11 folders; at most ${MAX_WRITABLE_PATHS}` }]);
        const huge = Array.from({ length: 200_000 }, () => "/a");
        const started = Date.now();
        expect(writablePathsProblems(huge, "report")).to.have.length(1);
        expect(Date.now() - started).to.be.below(100);
    });

    it("mounts /tmp first and then each folder, each on a volume of its own with a valid, telling name", () => {
        const { volumes, mountPoints } = writableMounts(["/app/instance", "/var/cache/my.app"]);
        expect(mountPoints.map((m) => m.containerPath)).to.deep.equal([ALWAYS_WRITABLE, "/app/instance", "/var/cache/my.app"]);
        expect(volumes.map((v) => v.name)).to.deep.equal(["writable-0-tmp", "writable-1-app-instance", "writable-2-var-cache-my-app"]);
        expect(mountPoints.map((m) => m.sourceVolume)).to.deep.equal(volumes.map((v) => v.name));
        expect(mountPoints.every((m) => m.readOnly === false)).to.equal(true);
        // ECS volume names: up to 255 letters, digits, hyphens and underscores.
        const long = writableMounts([`/${"a".repeat(254)}`]).volumes[1].name;
        expect(long).to.match(/^[A-Za-z0-9_-]{1,255}$/);
        expect(writableMounts([]).volumes).to.deep.equal([{ name: "writable-0-tmp" }]);
    });
});
