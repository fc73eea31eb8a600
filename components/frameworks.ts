/**
 * Framework presets: what each dashboard framework needs from the load balancer. Every value
 * can be overridden per dashboard. They must match what the templates in `apps/` do.
 */
export interface FrameworkPreset {
    /** Port the app listens on inside the container. */
    port: number;
    /** Path the target group's health check requests. */
    healthCheckPath: string;
    /** Sessions live in one process (websocket + in-memory state): pin a browser to one task. */
    sticky: boolean;
    /** Seconds ECS ignores failing health checks after a task starts (R and model loading are slow). */
    healthCheckGracePeriodSeconds: number;
}

export const FRAMEWORK_PRESETS: Readonly<Record<string, FrameworkPreset>> = {
    // R Shiny: websocket + in-memory session state, no health route of its own.
    shiny: { port: 3838, healthCheckPath: "/", sticky: true, healthCheckGracePeriodSeconds: 120 },
    // Streamlit: sessions live on the websocket; it has a health route.
    streamlit: { port: 8501, healthCheckPath: "/_stcore/health", sticky: true, healthCheckGracePeriodSeconds: 60 },
    // Dash: stateless callbacks over HTTP. "/" is the one path every Dash app answers (a /health
    // route exists only where the app adds one, as the template does: it sets healthCheckPath).
    dash: { port: 8050, healthCheckPath: "/", sticky: false, healthCheckGracePeriodSeconds: 60 },
    // Flask under gunicorn: "/" likewise (a Flask app has no health route of its own).
    flask: { port: 8000, healthCheckPath: "/", sticky: false, healthCheckGracePeriodSeconds: 30 },
    // Anything else with a Dockerfile: conventional port, root path.
    custom: { port: 8080, healthCheckPath: "/", sticky: false, healthCheckGracePeriodSeconds: 60 },
};

/** Fargate Spot gives a 2-minute warning: draining must finish well within it. */
export const SPOT_MAX_DEREGISTRATION_DELAY = 119;

/**
 * How long the ALB keeps sending in-flight requests to a task being replaced. Sticky (websocket)
 * apps get long enough for users to finish; on Spot it must stay under the 2-minute warning.
 */
export function defaultDeregistrationDelay(sticky: boolean, usesSpot: boolean): number {
    if (!sticky) return 30;
    return usesSpot ? 110 : 300;
}
