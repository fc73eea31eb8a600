/**
 * Valid Fargate task sizes (CPU units -> memory MiB), from the ECS task-size table.
 * Kept as data so the config validator and DashboardService share one source of truth.
 */
function range(from: number, to: number, step: number): number[] {
    const values: number[] = [];
    for (let v = from; v <= to; v += step) values.push(v);
    return values;
}

export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

/** CPU values Fargate accepts, ascending. */
export const FARGATE_CPU_VALUES: readonly number[] = Object.keys(FARGATE_SIZES).map(Number).sort((a, b) => a - b);

/** Memory values (MiB) valid with `cpu`, or undefined when `cpu` itself is not a Fargate size. */
export function fargateMemoryOptions(cpu: number): readonly number[] | undefined {
    return FARGATE_SIZES[cpu];
}

/** True when `cpu`/`memory` is a task size Fargate can run. */
export function isValidFargateSize(cpu: number, memory: number): boolean {
    return fargateMemoryOptions(cpu)?.includes(memory) ?? false;
}

/** Lists values compactly for error messages: `1024, 2048, ... 8192 (step 1024)` for long ranges. */
export function describeValues(values: readonly number[]): string {
    if (values.length <= 4) return values.join(", ");
    const step = values[1] - values[0];
    const evenlySpaced = values.every((v, i) => i === 0 || v - values[i - 1] === step);
    return evenlySpaced
        ? `${values[0]} to ${values[values.length - 1]} in steps of ${step}`
        : values.join(", ");
}
