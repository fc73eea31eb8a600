/**
 * The library entry point: other Pulumi programs import the components from here
 * (`import { DashboardCluster, CognitoAuth, DashboardService } from "@dashboards-on-aws/dashboards"`),
 * and `pulumi package add` serves the same exports to Python, Go, .NET and YAML programs.
 */
export * from "./dashboardCluster";
export * from "./cognitoAuth";
export * from "./dashboardService";
export { APP_ENV, LOGOUT_PATH, SIGNED_OUT_PATH, albPublicKeysUrl } from "./appEnvironment";
export { FRAMEWORK_PRESETS, FrameworkPreset } from "./frameworks";
export { rulePriorities } from "./routing";
export { validateStackConfig, StackConfig, NormalizedDashboard, ConfigProblem } from "./stackConfig";
