/**
 * AWS partitions by region name: the ARNs and addresses a region's resources live under differ in
 * China and GovCloud. Pure, so each rule is unit-testable.
 */

/** The partitions a stack can be deployed to. */
export type Partition = "aws" | "aws-cn" | "aws-us-gov";

/** The partition of a region: `cn-*` China, `us-gov-*` GovCloud (US), every other region the commercial one. */
// Partitions and their regions: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
export function partitionOfRegion(region: string): Partition {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/**
 * Where the AWS console of each partition is: a console link of another partition's host asks the
 * user to sign in to an account that cannot hold the resource.
 */
// Commercial: https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html
// GovCloud (US), its own console: https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/configure-account.html
// China, its own domain and console: https://docs.amazonaws.cn/en_us/aws/latest/userguide/general-info.html
export const CONSOLE_ORIGINS: Readonly<Record<Partition, string>> = {
    aws: "https://console.aws.amazon.com",
    "aws-cn": "https://console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
};

/** The console's origin for a region (`https://console.aws.amazon.com` outside China and GovCloud). */
export function consoleOrigin(region: string): string {
    return CONSOLE_ORIGINS[partitionOfRegion(region)];
}
