/**
 * The local EventBridge's state: event buses, rules with their targets, archives and replays, kept in
 * `state.json` (rewritten atomically on every change), and each archive's events appended to
 * `archives/<name>.jsonl` as they arrive — so rules and archived events outlive a restart, as in AWS. Without a
 * data directory everything lives in memory.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../durable-file';
import { compilePattern } from './pattern';
import type { Archive, ArchivedEvent, ArchiveSpec, ReplaySpec, Rule, RuleSpec, TargetSpec } from './types';
import { DEFAULT_BUS } from './types';

interface SavedState {
  buses: string[];
  rules: { spec: RuleSpec; targets: TargetSpec[] }[];
  archives: ArchiveSpec[];
  replays: ReplaySpec[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const ruleKey = (bus: string, name: string) => `${bus}/${name}`;

export class EventBridgeStore {
  readonly buses = new Set<string>([DEFAULT_BUS]);
  readonly rules = new Map<string, Rule>();
  readonly archives = new Map<string, Archive>();
  readonly replays = new Map<string, ReplaySpec>();
  private readonly archived = new Map<string, ArchivedEvent[]>();

  constructor(private readonly dataDir?: string) {
    if (dataDir) {
      mkdirSync(path.join(dataDir, 'archives'), { recursive: true });
      this.load(dataDir);
    }
  }

  private load(dataDir: string) {
    const file = path.join(dataDir, 'state.json');
    if (!existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    saved.buses.forEach((bus) => this.buses.add(bus));
    for (const { spec, targets } of saved.rules)
      this.rules.set(ruleKey(spec.EventBusName, spec.Name), {
        spec,
        pattern: compilePattern(spec.EventPattern),
        targets: new Map(targets.map((t) => [t.Id, t])),
      });
    for (const spec of saved.archives) {
      this.archives.set(spec.ArchiveName, {
        spec,
        pattern: spec.EventPattern ? compilePattern(spec.EventPattern) : undefined,
      });
      this.archived.set(spec.ArchiveName, this.readArchive(spec.ArchiveName));
    }
    saved.replays.forEach((replay) => this.replays.set(replay.ReplayName, replay));
  }

  private archiveFile(name: string) {
    return path.join(this.dataDir!, 'archives', `${name}.jsonl`);
  }

  /** Every whole line; a line torn by a crash mid-append is the last one, and is dropped. */
  private readArchive(name: string): ArchivedEvent[] {
    const file = this.archiveFile(name);
    if (!existsSync(file)) return [];
    const events: ArchivedEvent[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as ArchivedEvent);
      } catch {
        break;
      }
    }
    return events;
  }

  /** Writes the buses, rules, archives and replays; called after every change. */
  save() {
    if (!this.dataDir) return;
    const state: SavedState = {
      buses: [...this.buses],
      rules: [...this.rules.values()].map((r) => ({ spec: r.spec, targets: [...r.targets.values()] })),
      archives: [...this.archives.values()].map((a) => a.spec),
      replays: [...this.replays.values()],
    };
    writeFileAtomically(path.join(this.dataDir, 'state.json'), JSON.stringify(state), { syncDirectory: false });
  }

  addArchive(archive: Archive) {
    this.archives.set(archive.spec.ArchiveName, archive);
    this.archived.set(archive.spec.ArchiveName, []);
    this.save();
  }

  deleteArchive(name: string) {
    this.archives.delete(name);
    this.archived.delete(name);
    if (this.dataDir) rmSync(this.archiveFile(name), { force: true });
    this.save();
  }

  appendArchived(name: string, entries: ArchivedEvent[]) {
    if (entries.length === 0) return;
    this.archived.get(name)?.push(...entries);
    if (this.dataDir) appendFileSync(this.archiveFile(name), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /**
   * The archive's events still within its retention (by when they arrived) whose time is in [from, to), in order
   * of that time: a replay selects and orders by the time in the event (PutEvents' Time when given), as AWS does.
   */
  archivedBetween(name: string, from: number, to: number, now: number): ArchivedEvent[] {
    const retentionDays = this.archives.get(name)?.spec.RetentionDays ?? 0;
    const keptFrom = retentionDays > 0 ? now - retentionDays * DAY_MS : -Infinity;
    const timeOf = (e: ArchivedEvent) => Date.parse(e.event.time);
    return (this.archived.get(name) ?? [])
      .filter((e) => e.at >= keptFrom && timeOf(e) >= from && timeOf(e) < to)
      .sort((a, b) => timeOf(a) - timeOf(b));
  }

  archivedCount(name: string): { count: number; bytes: number } {
    const events = this.archived.get(name) ?? [];
    return { count: events.length, bytes: events.reduce((n, e) => n + JSON.stringify(e.event).length, 0) };
  }
}
