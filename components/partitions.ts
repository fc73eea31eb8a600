/**
 * AWS partitions by region name: the ARNs, endpoints and services of a region differ in China,
 * GovCloud, the isolated (ISO) regions and the European Sovereign Cloud. Pure, so each rule is
 * unit-testable; test/partitions.test.ts checks the table against the AWS SDK's own partition and
 * endpoint data (botocore's partitions.json and endpoints.json, as moto installs it).
 */

/** Every AWS partition, by its ARN name. */
export type Partition = "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b" | "aws-iso-e" | "aws-iso-f" | "aws-eusc";

interface PartitionFacts {
    /** Region names of the partition (the SDKs' `regionRegex`). */
    regions: RegExp;
    /** What the partition is, for messages. */
    title: string;
    /** Amazon Cognito user pools are offered there (botocore's endpoints.json lists `cognito-idp` for each of its regions). */
    cognitoUserPools: boolean;
    /** The platform models it: its ARNs, hosts and service differences are in the code and the tests. */
    supported: boolean;
}

// Partitions and their region patterns, as the AWS SDKs resolve them (botocore data/partitions.json):
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
// No region name matches two patterns (tested): us-gov-west-1 has a part more than aws's three.
export const PARTITIONS: Readonly<Record<Partition, PartitionFacts>> = {
    aws: { regions: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, title: "the commercial AWS partition", cognitoUserPools: true, supported: true },
    // https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html
    "aws-us-gov": { regions: /^us-gov-\w+-\d+$/, title: "AWS GovCloud (US)", cognitoUserPools: true, supported: true },
    // "Amazon Cognito User Pools are not currently available": https://docs.amazonaws.cn/en_us/aws/latest/userguide/cognito.html
    "aws-cn": { regions: /^cn-\w+-\d+$/, title: "AWS in China", cognitoUserPools: false, supported: true },
    "aws-iso": { regions: /^us-iso-\w+-\d+$/, title: "an isolated (ISO) partition", cognitoUserPools: false, supported: false },
    "aws-iso-b": { regions: /^us-isob-\w+-\d+$/, title: "an isolated (ISO) partition", cognitoUserPools: false, supported: false },
    "aws-iso-e": { regions: /^eu-isoe-\w+-\d+$/, title: "an isolated (ISO) partition", cognitoUserPools: false, supported: false },
    "aws-iso-f": { regions: /^us-isof-\w+-\d+$/, title: "an isolated (ISO) partition", cognitoUserPools: false, supported: false },
    "aws-eusc": { regions: /^eusc-(de)-\w+-\d+$/, title: "the AWS European Sovereign Cloud", cognitoUserPools: true, supported: false },
};

/** Names with the marks of the non-commercial partitions: `eusc-` first, or an `-iso<letter>-` or `-gov-` part. */
const NON_COMMERCIAL_FORM = /^eusc-|-iso[a-z]?-|-gov-/;

/**
 * The partition of a region. A well-formed name no pattern knows (a region newer than this table)
 * is taken as commercial, as the AWS SDKs do.
 */
export function partitionOfRegion(region: string): Partition {
    return (Object.keys(PARTITIONS) as Partition[]).find((p) => PARTITIONS[p].regions.test(region)) ?? "aws";
}

/**
 * Why the platform cannot run in a region, or undefined when it can. `cognito`: the stack signs
 * users in with the platform's Cognito user pool (auth.provider cognito, the default), not an
 * external OIDC provider.
 */
export function regionSupportProblem(region: string, cognito: boolean): string | undefined {
    const partition = partitionOfRegion(region);
    const facts = PARTITIONS[partition];
    const supported = (Object.keys(PARTITIONS) as Partition[]).filter((p) => PARTITIONS[p].supported)
        .map((p) => (PARTITIONS[p].cognitoUserPools ? p : `${p} (with auth.provider oidc)`));
    // The SDKs take such a name for commercial too, but it has the form of a GovCloud, ISO or sovereign-cloud
    // region that this table does not know yet (a new ISO letter, another sovereign country): not commercial.
    if (partition === "aws" && NON_COMMERCIAL_FORM.test(region)) {
        return `${region} has the form of a GovCloud, isolated (ISO) or European Sovereign Cloud region but is none this platform knows, ` +
            `so its partition (ARNs, service hosts, console) cannot be told; supported partitions: ${supported.join(", ")}`;
    }
    if (!facts.supported) {
        return `${region} is in ${facts.title} (${partition}), which the platform does not support: its ARNs, service hosts and consoles differ and are not modelled; ` +
            `supported partitions: ${supported.join(", ")}`;
    }
    if (cognito && !facts.cognitoUserPools) {
        return `${region} is in ${facts.title} (${partition}), where Amazon Cognito user pools are not offered, so the platform's sign-in cannot be created there; ` +
            "set auth.provider to oidc with your own OpenID Connect provider, or choose a region of the aws or aws-us-gov partition";
    }
    return undefined;
}

/**
 * Where the AWS console of each partition is: a console link of another partition's host asks the
 * user to sign in to an account that cannot hold the resource.
 */
// Commercial: https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html
// GovCloud (US), its own console: https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/configure-account.html
// China, its own domain and console: https://docs.amazonaws.cn/en_us/aws/latest/userguide/general-info.html
export const CONSOLE_ORIGINS: Readonly<Partial<Record<Partition, string>>> = {
    aws: "https://console.aws.amazon.com",
    "aws-cn": "https://console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
};

/**
 * The console's origin for a region (`https://console.aws.amazon.com` outside China and GovCloud).
 * Throws for a partition the platform does not support (validation refuses its regions first).
 */
export function consoleOrigin(region: string): string {
    const partition = partitionOfRegion(region);
    const origin = CONSOLE_ORIGINS[partition];
    if (origin === undefined) throw new Error(`no console address is known for ${region} (${partition}), a partition the platform does not support`);
    return origin;
}

/**
 * The parent domain of a Cognito prefix domain: GovCloud (US) serves hosted login on FIPS
 * endpoints only (`<prefix>.auth-fips.<region>.amazoncognito.com`), every other region on
 * `<prefix>.auth.<region>.amazoncognito.com`.
 */
// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
export function cognitoPrefixDomainParent(region: string): string {
    return `${partitionOfRegion(region) === "aws-us-gov" ? "auth-fips" : "auth"}.${region}.amazoncognito.com`;
}

/** Cognito user pools take no custom login domain in GovCloud (US). */
// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html
export function cognitoCustomDomainProblem(region: string): string | undefined {
    return partitionOfRegion(region) === "aws-us-gov"
        ? `is not offered in AWS GovCloud (US) (${region}): Cognito there has no custom login domains; leave it out to sign in at <prefix>.${cognitoPrefixDomainParent(region)}`
        : undefined;
}
