/**
 * components/partitions.ts and the console links built on it: a stack in China or GovCloud must
 * not link its operators to the commercial console, where its account does not exist.
 */
import { expect } from "chai";
import { consoleOrigin, partitionOfRegion } from "../components/partitions";
import { operationsDashboardUrl } from "../components/operationsDashboard";

describe("partitions", () => {
    it("puts cn-* in aws-cn, us-gov-* in aws-us-gov and every other region in aws", () => {
        expect(["eu-west-1", "us-east-1", "ap-southeast-6", "il-central-1"].map(partitionOfRegion)).to.deep.equal(["aws", "aws", "aws", "aws"]);
        expect(["cn-north-1", "cn-northwest-1"].map(partitionOfRegion)).to.deep.equal(["aws-cn", "aws-cn"]);
        expect(["us-gov-west-1", "us-gov-east-1"].map(partitionOfRegion)).to.deep.equal(["aws-us-gov", "aws-us-gov"]);
        // Prefixes, not substrings: a commercial region is never taken for another partition.
        expect(partitionOfRegion("us-east-1-cn-")).to.equal("aws");
    });

    it("links each partition's operations dashboard to its own console", () => {
        expect(operationsDashboardUrl("eu-west-1", "dashboards-prod-operations-lb0")).to.equal("https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=dashboards-prod-operations-lb0");
        expect(operationsDashboardUrl("cn-north-1", "d-ops")).to.equal("https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=d-ops");
        expect(operationsDashboardUrl("us-gov-west-1", "d-ops")).to.equal("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards:name=d-ops");
        expect(consoleOrigin("us-gov-east-1")).to.equal("https://console.amazonaws-us-gov.com");
    });
});
