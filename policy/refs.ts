/** References between resources found by value (ids and ARNs), for the offline plan and as the pack's fallback. */

/** Every string anywhere inside `value`. */
function stringsIn(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
    else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsIn(v, out));
    return out;
}

/**
 * `refs` for resources whose references are plain values: a property refers to every resource
 * whose id or ARN appears in it. Also used by the pack for references Pulumi did not record.
 */
export function refsByValue<R extends { urn?: string; props: Record<string, any> }>(
    resources: R[],
    identifiers: (r: R) => unknown[],
): Map<R, Record<string, string[]>> {
    const byIdentifier = new Map<string, string[]>();
    for (const r of resources) {
        if (!r.urn) continue;
        for (const ident of identifiers(r)) {
            if (typeof ident !== "string" || ident === "") continue;
            byIdentifier.set(ident, [...(byIdentifier.get(ident) ?? []), r.urn]);
        }
    }
    const result = new Map<R, Record<string, string[]>>();
    for (const r of resources) {
        const refs: Record<string, string[]> = {};
        for (const [key, value] of Object.entries(r.props)) {
            const urns = new Set(stringsIn(value).flatMap((s) => byIdentifier.get(s) ?? []));
            urns.delete(r.urn!);
            if (urns.size > 0) refs[key] = [...urns];
        }
        result.set(r, refs);
    }
    return result;
}
