// AWSGuard (Pulumi's published AWS rules, npm @pulumi/awsguard) as a second rule set that this
// project did not write. Every rule is mandatory except those turned off below, each with its reason.
//
// Read with care: AWSGuard 0.3.1 matches resources by the type tokens of @pulumi/aws v4, so its
// load-balancer rules (alb-http-to-https-redirection, elb-deletion-protection-enabled,
// elb-logging-enabled) look for `aws:elasticloadbalancingv2/*` / `aws:applicationloadbalancing/*` and
// never see this program's `aws:lb/*` resources. Our own pack (policy/) covers those points.
const { AwsGuard } = require("@pulumi/awsguard");

// These three call the AWS API (ACM DescribeCertificate, IAM) from the policy pack during preview:
// there is no AWS account in the engine check and nothing may leave the machine.
const CALLS_AWS = "disabled";

new AwsGuard({
    all: "mandatory",
    // ACM renews DNS-validated certificates itself; the check needs the live certificate.
    acmCertificateExpiration: CALLS_AWS,
    // The program creates no IAM users, access keys or console login profiles.
    iamAccessKeysRotated: CALLS_AWS,
    iamMfaEnabledForConsoleAccess: CALLS_AWS,
    // The stacks' buckets are log and artifact sinks (ALB access logs, pipeline artifacts): server
    // access logs of a log bucket need yet another bucket, and AWS advises against logging a bucket
    // into itself. Both are private, TLS-only and encrypted (our pack checks that).
    s3BucketLoggingEnabled: "disabled",
});
