/**
 * Test double for the `random` provider: RandomPassword and RandomString, generated with the
 * real provider's character sets and minimums. Every input forces a replacement, as upstream.
 * The result of a RandomPassword (and its bcrypt hash stand-in) is a secret; a RandomString's is not.
 */
import * as crypto from "crypto";
import { CheckArgs, CheckFailure, CreateArgs, diffInputs, DiffArgs, known, ProviderDouble, Props, ResourceArgs, sdkVersion, secret, serve, startOrExplain, UNKNOWN, UpdateArgs } from "./shared";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const STRING = "random:index/randomString:RandomString";
const SETS = { lower: "abcdefghijklmnopqrstuvwxyz", upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", numeric: "0123456789", special: "!@#$%&*()-_=+[]{}<>:?" };

interface Spec { length: number; sets: Record<keyof typeof SETS, boolean>; mins: Record<keyof typeof SETS, number>; special: string }

function specOf(i: Props): Spec {
    const flag = (k: string) => known<boolean>(i[k]) ?? true;
    const min = (k: string) => known<number>(i[k]) ?? 0;
    return {
        length: known<number>(i.length) ?? 0,
        sets: { lower: flag("lower"), upper: flag("upper"), numeric: known<boolean>(i.numeric) ?? known<boolean>(i.number) ?? true, special: flag("special") },
        mins: { lower: min("minLower"), upper: min("minUpper"), numeric: min("minNumeric"), special: min("minSpecial") },
        special: known<string>(i.overrideSpecial) ?? SETS.special,
    };
}

export function generate(s: Spec): string {
    const charset = (k: keyof typeof SETS) => (k === "special" ? s.special : SETS[k]);
    const pick = (chars: string) => chars[crypto.randomInt(chars.length)];
    const out: string[] = [];
    for (const k of Object.keys(SETS) as (keyof typeof SETS)[]) for (let n = 0; n < s.mins[k]; n++) out.push(pick(charset(k)));
    const all = (Object.keys(SETS) as (keyof typeof SETS)[]).filter((k) => s.sets[k]).map(charset).join("");
    while (out.length < s.length) out.push(pick(all));
    for (let i = out.length - 1; i > 0; i--) {
        const j = crypto.randomInt(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out.join("");
}

export class RandomDouble implements ProviderDouble {
    readonly name = "random";
    readonly version = sdkVersion("random");

    check(args: CheckArgs) {
        if (args.type !== PASSWORD && args.type !== STRING) throw new Error(`${args.type} is not implemented by the random test double (only RandomPassword and RandomString)`);
        const failures: CheckFailure[] = [];
        if (args.news.length === undefined) failures.push({ property: "length", reason: "Missing required property 'length'" });
        const s = specOf(args.news);
        const mins = Object.values(s.mins).reduce((a, b) => a + b, 0);
        if (known(args.news.length) !== undefined && s.length < 1) failures.push({ property: "length", reason: `Attribute length value must be at least 1, got: ${s.length}` });
        if (known(args.news.length) !== undefined && s.length < mins) {
            failures.push({ property: "length", reason: `Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special (${mins}), got: ${s.length}` });
        }
        if (!Object.values(s.sets).some(Boolean)) failures.push({ property: "lower", reason: "at least one of lower, upper, numeric and special must be true" });
        return { inputs: args.news, failures };
    }

    diff(args: DiffArgs) {
        return diffInputs(args, () => true);
    }

    async create(args: CreateArgs) {
        const s = specOf(args.inputs);
        const defaults = { lower: s.sets.lower, upper: s.sets.upper, numeric: s.sets.numeric, special: s.sets.special, minLower: s.mins.lower, minUpper: s.mins.upper, minNumeric: s.mins.numeric, minSpecial: s.mins.special };
        if (args.preview) return { id: "", outs: { ...defaults, ...args.inputs, result: UNKNOWN, ...(args.type === PASSWORD ? { bcryptHash: UNKNOWN } : {}) } };
        const result = generate(s);
        if (args.type === STRING) return { id: result, outs: { ...defaults, ...args.inputs, result } };
        // A stand-in for the bcrypt hash (the double has no bcrypt): the same secrecy, not the same format.
        const bcryptHash = `$2a$10$${crypto.createHash("sha256").update(result).digest("base64").slice(0, 53)}`;
        return { id: "none", outs: { ...defaults, ...args.inputs, result: secret(result), bcryptHash: secret(bcryptHash) } };
    }

    async update(args: UpdateArgs): Promise<Props> {
        return { ...args.olds, ...args.inputs };
    }

    async delete(): Promise<void> {}

    async read(args: ResourceArgs) {
        return { props: args.props, inputs: args.inputs };
    }

    invoke(token: string): Props {
        throw new Error(`invoke ${token} is not implemented by the random test double`);
    }
}

if (require.main === module) startOrExplain(() => serve(new RandomDouble()), "random");
