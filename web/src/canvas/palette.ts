// One colour per label, stable by the label's position in the project's list.
const kColors = [
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#bfef45",
    "#fabed4",
    "#469990",
    "#dcbeff",
    "#9a6324",
];

export function labelColor(index: number): string {
    return kColors[((index % kColors.length) + kColors.length) % kColors.length] ?? "#e6194b";
}

/** [r, g, b] of a `#rrggbb` colour, for mask pixels. */
export function rgb(color: string): [number, number, number] {
    const n = parseInt(color.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
