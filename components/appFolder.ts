/**
 * A dashboard's app folder, checked at plan time: `app` must name a folder directly in the apps
 * directory (the image's build context), really inside it (no `..`, no absolute path, no symlink
 * out of it); a Dockerfile in it must be a file inside it too (without one, appSource.ts generates
 * one). Without this, a wrong `app` only fails at image build time, after the network, load
 * balancer and user pool exist.
 *
 * Reads the filesystem only here, and only for the apps directory it is given.
 */
import * as fs from "fs";
import * as path from "path";

/** What `app` may be: one folder name, never a path (no `/`, no leading `.`, so no `..`). */
export const APP_FOLDER_NAME = /^[a-z0-9][a-z0-9._-]*$/;
export const APP_FOLDER_DESCRIPTION = "a folder name in apps/ (lowercase letters, digits, . _ -, starting with a letter or digit; no paths)";
/** Folders of the apps directory that are not dashboards: the portal and the platform's helpers. */
const NOT_DASHBOARDS = new Set(["portal", "shared"]);

/** What is wrong, and which advice fits: copy a template, point app at a folder, or stay inside the apps directory. */
type Finding = { problem: string; fix: "dockerfile" | "folder" | "inside" };

/**
 * Returns a checker for app folders in `appsDir`: the problem with `app` (a message for the stack
 * file's `app` key), or undefined when the folder can be built. One directory listing per checker.
 */
export function appFolderChecker(appsDir: string): (app: string) => string | undefined {
    const label = `${path.basename(path.resolve(appsDir))}/`;
    const root = realpath(appsDir);
    const entries = new Set(root ? list(root) : []);
    let folders: string[] | undefined;

    const inside = (real: string | undefined) => {
        if (!root || !real) return false;
        const rel = path.relative(root, real);
        return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
    };

    const inspect = (app: string): Finding | undefined => {
        const at = `${label}${app}`;
        // Exact names from the listing: no path ever reaches the filesystem, and `Dash` is not `dash`
        // even where the filesystem ignores case (the build host may not).
        if (!APP_FOLDER_NAME.test(app) || !entries.has(app)) return { problem: `${at} does not exist`, fix: "folder" };
        const folder = path.join(root!, app);
        const real = realpath(folder);
        if (isSymlink(folder)) {
            if (!real) return { problem: `${at} is a symlink to nothing`, fix: "folder" };
            if (real === root) return { problem: `${at} is a symlink to ${label} itself; the app folder must be inside ${label}`, fix: "inside" };
            if (!inside(real)) return { problem: `${at} is a symlink to a ${isDirectory(real) ? "folder" : "file"} outside ${label}; the app folder must be inside ${label}`, fix: "inside" };
        }
        if (!real || !isDirectory(real)) return { problem: `${at} is ${isFile(real) ? "a file, not a folder" : "not a folder"}`, fix: "folder" };
        // No Dockerfile: one is generated from the folder (appSource.ts says whether it can be).
        if (!list(real).includes("Dockerfile")) return undefined;
        const dockerfile = path.join(real, "Dockerfile");
        const realDockerfile = realpath(dockerfile);
        if (isSymlink(dockerfile) && !inside(realDockerfile)) {
            return { problem: `${at}/Dockerfile is a symlink to ${realDockerfile ? "a file outside" : "nothing in"} ${label}; the Dockerfile must be inside ${label}`, fix: "inside" };
        }
        if (!isFile(realDockerfile)) return { problem: `${at}/Dockerfile is not a file`, fix: "dockerfile" };
        return undefined;
    };

    const foldersHint = () => {
        // Real folders only: a symlink is another name for a folder already listed, or a way out.
        folders ??= [...entries].filter((e) => !NOT_DASHBOARDS.has(e) && !e.startsWith(".") && !isSymlink(path.join(root!, e)) && inspect(e) === undefined).sort();
        return folders.length > 0 ? `the folders there: ${folders.join(", ")}` : `there are no app folders in ${label} yet`;
    };

    return (app) => {
        if (!APP_FOLDER_NAME.test(app)) return `${JSON.stringify(app)} is not ${APP_FOLDER_DESCRIPTION}`;
        const found = inspect(app);
        if (!found) return undefined;
        switch (found.fix) {
            case "dockerfile": return `${found.problem}; make it a file, or remove it to have one generated from the app's files`;
            case "folder": return `${found.problem}; set app to the folder in ${label} that holds the dashboard (its app.R, or app.py and requirements.txt, or a Dockerfile); ${foldersHint()}`;
            case "inside": return `${found.problem} (images are built from there)`;
        }
    };
}

function realpath(p: string): string | undefined {
    try {
        return fs.realpathSync.native(p);
    } catch {
        return undefined;
    }
}

function list(dir: string): string[] {
    try {
        return fs.readdirSync(dir);
    } catch {
        return [];
    }
}

function isSymlink(p: string): boolean {
    try {
        return fs.lstatSync(p).isSymbolicLink();
    } catch {
        return false;
    }
}

function isDirectory(p: string | undefined): boolean {
    try {
        return p !== undefined && fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}

function isFile(p: string | undefined): boolean {
    try {
        return p !== undefined && fs.statSync(p).isFile();
    } catch {
        return false;
    }
}
