/**
 * The contract between the infrastructure and the dashboard containers: the environment
 * variables DashboardService sets in every task. The templates in `apps/` read exactly
 * these names, so renaming one here is a breaking change for every deployed dashboard.
 */
export const APP_ENV = {
    /** Short name of the dashboard, e.g. `sales`. */
    name: "DASHBOARD_NAME",
    /** Public base URL of the dashboard, e.g. `https://sales.dashboards.example.com`. */
    url: "DASHBOARD_URL",
    /**
     * Full Cognito (or OIDC provider) logout URL for this dashboard's app client, with
     * `client_id` and `logout_uri` already filled in. The app's `/logout` route expires the
     * ALB session cookies and redirects here.
     */
    logoutUrl: "DASHBOARD_LOGOUT_URL",
    /** URL of the portal that lists every dashboard the user may open (absent when no portal). */
    portalUrl: "DASHBOARD_PORTAL_URL",
    /** TCP port the app must listen on (0.0.0.0). */
    port: "PORT",
    /** AWS region; selects the ALB public-key endpoint. */
    region: "AWS_REGION",
    /** ARN of the load balancer; `x-amzn-oidc-data` is trusted only when its `signer` equals it. */
    albArn: "ALB_ARN",
    /**
     * Base URL of the ALB public keys; the key for a token is at `<base>/<kid>`.
     * Defaults to `https://public-keys.auth.elb.<region>.amazonaws.com`; tests point it at a local server.
     */
    albPublicKeysUrl: "ALB_PUBLIC_KEYS_URL",
    /**
     * The load balancer's idle timeout in seconds. An app server's keep-alive must outlast it, or the
     * ALB reuses a connection the target has closed and answers 502
     * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html).
     */
    albIdleTimeoutSeconds: "ALB_IDLE_TIMEOUT_SECONDS",
} as const;

/** Path every dashboard serves that expires the ALB session cookies and redirects to the logout URL. */
export const LOGOUT_PATH = "/logout";
/** Path the load balancer answers itself, without authentication, after sign-out. */
export const SIGNED_OUT_PATH = "/signed-out";

/** Default ALB public-key endpoint for a region. */
export function albPublicKeysUrl(region: string): string {
    return `https://public-keys.auth.elb.${region}.amazonaws.com`;
}
