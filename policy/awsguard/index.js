// AWSGuard (Pulumi's published AWS rules) as a second, independent rule set for the engine check.
// Every rule is mandatory except those turned off below, each with the reason.
const { AwsGuard } = require("@pulumi/awsguard");

new AwsGuard({
    all: "mandatory",
});
