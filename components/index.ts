/**
 * The library entry point: other Pulumi programs import the components from here
 * (`import { DashboardPlatform } from "@dashboards-on-aws/dashboards"` for the whole platform, or
 * `DashboardCluster`, `CognitoAuth`, `DashboardService` to compose it their own way), and
 * `pulumi package add` serves the same exports to Python, Go, .NET and YAML programs.
 */
export * from "./dashboardPlatform";
export * from "./dashboardCluster";
export * from "./cognitoAuth";
export * from "./dashboardService";
export * from "./dashboardPipeline";
export { APP_ENV, LOGOUT_PATH, SIGNED_OUT_PATH, albPublicKeysUrl } from "./appEnvironment";
export { FRAMEWORK_PRESETS, FrameworkPreset } from "./frameworks";
export { rulePriorities } from "./routing";
export { validateStackConfig, validatePlatformModel, StackConfig, NormalizedDashboard, ConfigProblem, PlatformModel } from "./stackConfig";
