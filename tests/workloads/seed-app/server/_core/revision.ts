// Rewritten by the replay harness (bench/incident) to make `tsx watch` restart the server, as a
// developer's edits do. Imported by index.ts so that tsx watches it.
export const revision = 0;
