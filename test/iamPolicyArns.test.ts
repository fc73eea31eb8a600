/**
 * The managed-policy checks shared by the stack-file validator and the components (components/iamPolicyArns).
 */
import { expect } from "chai";
import { IAM_POLICY_ARN, isPrivilegedAwsPolicy, PRIVILEGED_AWS_POLICIES, repeats, taskPolicyArnProblem } from "../components/iamPolicyArns";

describe("IAM policy ARNs (components/iamPolicyArns)", () => {
    it("accepts AWS managed and account policies, with paths, in every partition", () => {
        for (const arn of ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team/reports-read", "arn:aws-cn:iam::aws:policy/CloudWatchReadOnlyAccess", "arn:aws-us-gov:iam::123456789012:policy/x"]) {
            expect(taskPolicyArnProblem(arn, false), arn).to.equal(undefined);
        }
    });

    it("refuses what is not a policy ARN: wildcards, other services, an account that is not 12 digits, trailing junk", () => {
        for (const arn of ["*", "arn:aws:iam::aws:policy/*", "arn:aws:iam::*:policy/x", "arn:aws:iam::12345:policy/x", "arn:aws:iam::aws:role/x", "arn:aws:s3:::bucket", "arn:aws:iam::aws:policy/x\n", "arn:aws:iam::aws:policy/"]) {
            expect(taskPolicyArnProblem(arn, false), JSON.stringify(arn)).to.match(/^is not an IAM policy ARN/);
            expect(IAM_POLICY_ARN.test(arn), JSON.stringify(arn)).to.equal(false);
        }
    });

    it("refuses every administrator-level AWS policy without the opt-in, and accepts it with it", () => {
        expect(PRIVILEGED_AWS_POLICIES).to.include.members(["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]);
        for (const name of PRIVILEGED_AWS_POLICIES) {
            const arn = `arn:aws:iam::aws:policy/${name}`;
            expect(isPrivilegedAwsPolicy(arn), name).to.equal(true);
            expect(taskPolicyArnProblem(arn, false), name).to.match(/administrator of the account/);
            expect(taskPolicyArnProblem(arn, true), name).to.equal(undefined);
        }
    });

    it("does not mistake an account's own policy, or a longer AWS name, for an administrator policy", () => {
        for (const arn of ["arn:aws:iam::123456789012:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccessX", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]) {
            expect(isPrivilegedAwsPolicy(arn), arn).to.equal(false);
            expect(taskPolicyArnProblem(arn, false), arn).to.equal(undefined);
        }
    });

    it("refuses a service-linked role's policy even with the opt-in (IAM would refuse to attach it)", () => {
        expect(taskPolicyArnProblem("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", true)).to.match(/service-linked role/);
    });

    it("finds repeats with the index of their first appearance", () => {
        expect(repeats(["a", "b", "a", "a", "c", "b"])).to.deep.equal([{ index: 2, first: 0 }, { index: 3, first: 0 }, { index: 5, first: 1 }]);
        expect(repeats([])).to.deep.equal([]);
    });
});
