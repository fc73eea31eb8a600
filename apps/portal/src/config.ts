import { readFileSync, statSync } from "node:fs";
import { z } from "zod";

/**
 * Configuration of the portal, read from the environment variables the infrastructure sets
 * (names as in components/appEnvironment.ts, plus the Cognito ids) and the catalogue of
 * dashboards: the file PORTAL_CONFIG_FILE names (the platform builds it into the image, since a
 * task definition holds 64 KiB and hundreds of dashboards need more), or PORTAL_CONFIG itself.
 */

/** Largest catalogue file read: far above 1,000 dashboards with long descriptions, far below the task's memory. */
export const MAX_CATALOGUE_BYTES = 16 * 1024 * 1024;

const nonEmpty = z.string().trim().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });

const dashboardSchema = z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and hyphens"),
    displayName: nonEmpty,
    description: z.string().default(""),
    framework: nonEmpty,
    url: httpUrl,
    /** Heading the portal groups the dashboard under; absent: the last group, "Other". */
    category: z.string().trim().min(1).max(64).optional(),
    /** Cognito groups allowed to open the dashboard; empty = every signed-in user. */
    accessGroups: z.array(nonEmpty).default([]),
    /** Office hours (as the stack file resolved them); absent: runs around the clock. */
    schedule: z.strictObject({
        days: z.string().regex(/^(\*|(SUN|MON|TUE|WED|THU|FRI|SAT)(-(SUN|MON|TUE|WED|THU|FRI|SAT))?(,(SUN|MON|TUE|WED|THU|FRI|SAT)(-(SUN|MON|TUE|WED|THU|FRI|SAT))?)*)$/),
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
        stop: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
        timeZone: z.string().refine((zone) => {
            try {
                new Intl.DateTimeFormat("en", { timeZone: zone });
                return true;
            } catch {
                return false;
            }
        }, "expected an IANA time zone"),
        tasksOutside: z.number().int().min(0),
    }).optional(),
    /** Scale to zero: minutes without use after which it sleeps; absent: it never sleeps when idle. */
    idleMinutes: z.number().int().min(1).max(1440).optional(),
});

export const portalConfigSchema = z
    .strictObject({
        title: nonEmpty,
        adminGroups: z.array(nonEmpty).default([]),
        dashboards: z.array(dashboardSchema),
    })
    .superRefine((cfg, ctx) => {
        const seen = new Set<string>();
        cfg.dashboards.forEach((d, i) => {
            if (seen.has(d.name)) {
                ctx.addIssue({ code: "custom", path: ["dashboards", i, "name"], message: `duplicate dashboard name "${d.name}"` });
            }
            seen.add(d.name);
        });
    });

export type PortalConfig = z.infer<typeof portalConfigSchema>;
export type Dashboard = PortalConfig["dashboards"][number];

const envSchema = z.object({
    PORTAL_CONFIG: z.string().transform((text, ctx) => {
        try {
            return JSON.parse(text) as unknown;
        } catch (err) {
            ctx.addIssue({ code: "custom", message: `not valid JSON (${(err as Error).message})` });
            return z.NEVER;
        }
    }).pipe(portalConfigSchema),
    COGNITO_USER_POOL_ID: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d_[0-9a-zA-Z]+$/, "expected <region>_<id>"),
    COGNITO_CLIENT_ID: nonEmpty,
    AWS_REGION: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected a region such as eu-west-1"),
    ALB_ARN: z.string().regex(/^arn:aws(-cn|-us-gov)?:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/.+$/, "expected an ALB ARN"),
    ALB_PUBLIC_KEYS_URL: httpUrl.optional(),
    DASHBOARD_URL: httpUrl.optional(),
    // Cognito /logout with client_id and a logout_uri listed in the client's sign-out URLs: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
    DASHBOARD_LOGOUT_URL: httpUrl,
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    /** Test-only: fetch the user pool's JWKS from here instead of Cognito (issuer checks are unchanged). */
    COGNITO_JWKS_URL: httpUrl.optional(),
});

export interface Settings {
    portal: PortalConfig;
    userPoolId: string;
    clientId: string;
    region: string;
    albArn: string;
    /** Base URL of the ALB public keys (key at `<base>/<kid>`). */
    albPublicKeysUrl: string;
    /** Public URL of the portal itself, if known. */
    portalUrl?: string;
    logoutUrl: string;
    port: number;
    /** Test-only override of where the Cognito JWKS is fetched. */
    cognitoJwksUrl?: string;
}

export class ConfigError extends Error {}

/** Default ALB public-key endpoint (same rule as albPublicKeysUrl in components/appEnvironment.ts). */
export function defaultAlbPublicKeysUrl(region: string): string {
    // Regional ALB key endpoint; the PEM public key for a token is at <endpoint>/<kid>: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    return `https://public-keys.auth.elb.${region}.amazonaws.com`;
}

/**
 * The environment with PORTAL_CONFIG filled from PORTAL_CONFIG_FILE when only the file is given.
 * Throws ConfigError when the file cannot be read or is larger than MAX_CATALOGUE_BYTES.
 */
function withCatalogue(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const file = env.PORTAL_CONFIG_FILE;
    if (env.PORTAL_CONFIG !== undefined || file === undefined) return env;
    try {
        // Checked before reading: a catalogue is never large, and a FIFO or device is never a catalogue.
        const stat = statSync(file);
        if (!stat.isFile()) throw new Error("not a regular file");
        if (stat.size > MAX_CATALOGUE_BYTES) throw new Error(`${stat.size} bytes, more than ${MAX_CATALOGUE_BYTES}`);
        return { ...env, PORTAL_CONFIG: readFileSync(file, "utf8") };
    } catch (err) {
        throw new ConfigError(`Invalid portal configuration:\n  - PORTAL_CONFIG_FILE: cannot read ${file} (${(err as Error).message})`);
    }
}

/** Parse and validate the environment; throws ConfigError listing every problem. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
    const parsed = envSchema.safeParse(withCatalogue(env));
    if (!parsed.success) {
        const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(root)"}: ${issue.message}`);
        throw new ConfigError(`Invalid portal configuration:\n${lines.join("\n")}`);
    }
    const e = parsed.data;
    return {
        portal: e.PORTAL_CONFIG,
        userPoolId: e.COGNITO_USER_POOL_ID,
        clientId: e.COGNITO_CLIENT_ID,
        region: e.AWS_REGION,
        albArn: e.ALB_ARN,
        albPublicKeysUrl: (e.ALB_PUBLIC_KEYS_URL ?? defaultAlbPublicKeysUrl(e.AWS_REGION)).replace(/\/+$/, ""),
        portalUrl: e.DASHBOARD_URL,
        logoutUrl: e.DASHBOARD_LOGOUT_URL,
        port: e.PORT,
        cognitoJwksUrl: e.COGNITO_JWKS_URL,
    };
}
