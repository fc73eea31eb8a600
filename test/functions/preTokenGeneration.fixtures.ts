/** Shared fixtures of the Pre Token Generation tests. */
import type { AccessMap } from "../../functions/preTokenGeneration/accessMap";

/** App client ids in Cognito's format (26 lowercase alphanumerics). */
export const SALES_CLIENT = "1example23456789salesclnt";
export const WIKI_CLIENT = "2example23456789wikiclient";
export const UNKNOWN_CLIENT = "3example23456789otherclnt";

/** `sales` is restricted to two groups, `wiki` is open to every signed-in user. */
export const accessMap: AccessMap = {
    adminGroups: ["dashboard-admins"],
    clients: {
        [SALES_CLIENT]: { dashboard: "sales", accessGroups: ["sales", "finance"] },
        [WIKI_CLIENT]: { dashboard: "wiki", accessGroups: [] },
    },
};
