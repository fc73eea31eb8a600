/**
 * fixtures/read_only_root.sh, the test instrument that runs an app as a task with
 * `readonlyRootFilesystem` runs it: every mount read-only, a fresh tmpfs on each --tmpfs folder,
 * each --writable folder read-write. What it does not stand in for: the image's own layers (the
 * app runs on this machine's file system) and ECS copying an image's VOLUME content into the
 * mount (a --writable folder already holds what the test put there).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { needs, PREREQUISITES } from "../prerequisites";
import { NATIVE_IMAGES_DIR, READ_ONLY_ROOT, ReadOnlyRoot, readOnlyRootCommand, ROOT } from "./harness";

function runIn(root: ReadOnlyRoot, script: string) {
    const { command, args } = readOnlyRootCommand(root, "/bin/sh", ["-c", script]);
    return spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
}

describe("read_only_root.sh: a task's read-only root file system on this machine", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
        fs.mkdirSync(NATIVE_IMAGES_DIR, { recursive: true });
        dir = fs.mkdtempSync(path.join(NATIVE_IMAGES_DIR, "read-only-root-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("refuses writes everywhere outside the writable folders, for root too (EROFS, not permissions)", () => {
        const r = runIn({ tmpfs: [] }, `id -u; for f in "${dir}/new" "${ROOT}/.test-artifacts/new" /etc/new "$HOME/new"; do if touch "$f" 2>/dev/null; then echo "wrote $f"; fi; done; touch "${dir}/new" 2>&1 || true`);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).not.to.include("wrote");
        expect(r.stdout).to.include("Read-only file system");
        expect(fs.existsSync(path.join(dir, "new"))).to.equal(false);
    });

    it("gives each --tmpfs folder a fresh, empty, writable tmpfs that the host never sees", () => {
        const marker = fs.mkdtempSync(path.join(os.tmpdir(), "host-tmp-"));
        try {
            const r = runIn({ tmpfs: ["/tmp"] }, `echo "[$(ls -A /tmp)]"; echo scratch > /tmp/scratch && cat /tmp/scratch; stat -c %a /tmp; df -T /tmp | tail -1 | awk '{print $2}'`);
            expect(r.status, r.stderr).to.equal(0);
            const lines = r.stdout.trim().split("\n");
            // Nothing of the host's /tmp (but the way down to the checkout, which the harness keeps when it is under /tmp).
            const kept = ROOT.startsWith("/tmp/") ? ROOT.split("/")[2] : "";
            expect(lines, "an empty /tmp, then the write read back, sticky and world-writable, on tmpfs").to.deep.equal([`[${kept}]`, "scratch", "1777", "tmpfs"]);
            expect(fs.existsSync(path.join(os.tmpdir(), "scratch"))).to.equal(false);
        } finally {
            fs.rmSync(marker, { recursive: true, force: true });
        }
    });

    it("keeps each --writable folder's files and lets the app write there, as a volume the image fills", () => {
        const volume = path.join(dir, "instance");
        fs.mkdirSync(volume);
        fs.writeFileSync(path.join(volume, "from-image"), "kept");
        const r = runIn({ tmpfs: [], writable: [volume] }, `cat "${volume}/from-image"; echo written > "${volume}/db"; touch "${dir}/beside" 2>/dev/null && echo "wrote beside"; true`);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trim()).to.equal("kept");
        expect(fs.readFileSync(path.join(volume, "db"), "utf8")).to.equal("written\n");
        expect(fs.existsSync(path.join(dir, "beside")), "the folder around the volume stays read-only").to.equal(false);
    });

    it("keeps a --keep folder inside a --tmpfs one visible, read-only, and a --writable folder inside it writable (a checkout under /tmp, as CI's may be)", () => {
        const kept = fs.mkdtempSync(path.join(os.tmpdir(), "kept-checkout-"));
        try {
            fs.writeFileSync(path.join(kept, "code.py"), "print(1)\n");
            fs.mkdirSync(path.join(kept, "instance"));
            const { command, args } = readOnlyRootCommand({ tmpfs: ["/tmp"] }, "/bin/sh", ["-c", `echo $(ls -A /tmp); cat "${kept}/code.py"; touch "${kept}/new" 2>/dev/null && echo "wrote code"; touch "${kept}/instance/db" && echo "wrote instance"; touch /tmp/scratch && echo "wrote tmp"`]);
            // The harness keeps the checkout itself; here a folder of its own is kept by hand.
            const withKeep = [...args.slice(0, args.indexOf("--")), "--keep", kept, "--writable", path.join(kept, "instance"), ...args.slice(args.indexOf("--"))];
            const r = spawnSync(command, withKeep, { encoding: "utf8", timeout: 30_000 });
            expect(r.status, r.stderr).to.equal(0);
            const [listing, ...rest] = r.stdout.trim().split("\n");
            // A fresh /tmp holds only the way down to what is kept: this folder (and the checkout, when it is under /tmp too).
            const keptHere = [path.basename(kept), ...(ROOT.startsWith("/tmp/") ? [ROOT.split("/")[2]] : [])];
            expect(listing.split(" ").sort()).to.deep.equal([...new Set(keptHere)].sort());
            // Its file read, no write into it, the volume inside it and /tmp written.
            expect(rest).to.deep.equal(["print(1)", "wrote instance", "wrote tmp"]);
            expect(fs.existsSync(path.join(kept, "instance", "db"))).to.equal(true);
            expect(fs.existsSync(path.join(kept, "new"))).to.equal(false);
        } finally {
            fs.rmSync(kept, { recursive: true, force: true });
        }
    });

    it("execs the command: the process the caller spawned is the app (so stopping its process group stops the app)", async () => {
        const { command, args } = readOnlyRootCommand({ tmpfs: [] }, "/bin/sh", ["-c", "echo $$"]);
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
        expect(status).to.equal(0);
        expect(out.trim()).to.equal(String(child.pid));
    });

    it("refuses an unknown argument or a missing command (exit 2), instead of running without the read-only root", () => {
        for (const args of [["--tmpfs"], ["--bogus", "x", "--", "/bin/true"], ["--"]]) {
            const r = spawnSync("/usr/bin/unshare", ["--mount", "--propagation", "private", READ_ONLY_ROOT, ...args], { encoding: "utf8" });
            expect(r.status, `${args.join(" ")}: ${r.stderr}`).to.not.equal(0);
        }
    });

    describe("with R, which a generated Shiny image runs", () => {
        needs(PREREQUISITES.rscript);
        it("R does not start without a writable /tmp (why every generated image declares VOLUME /tmp), and starts with one", () => {
            const without = runIn({ tmpfs: [] }, "Rscript -e 'cat(1)'");
            expect(without.status).to.not.equal(0);
            expect(without.stdout + without.stderr).to.match(/R_TempDir|temporary file/);
            const withTmp = runIn({ tmpfs: ["/tmp"] }, "Rscript -e 'cat(1)'");
            expect(withTmp.status, withTmp.stderr).to.equal(0);
            expect(withTmp.stdout).to.equal("1");
        });
    });
});
