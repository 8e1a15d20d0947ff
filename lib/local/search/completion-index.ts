/**
 * A completion field's suggestions. Each input is analyzed by the field's analyzer (`simple` by default: runs of
 * letters, lowercased) and kept, in MiniSearch's radix tree (SearchableMap), under its whole analyzed form and
 * under the form starting at each of its later words: the local engine completes `cake st` to "Red Retrospot
 * Cake Stand" as well as "Cake Stand, Red" (the contract's one difference from OpenSearch, which completes an
 * input's start only). Matching is a prefix match, exact or fuzzy (./suggest.ts).
 */
import SearchableMap from 'minisearch/SearchableMap';
import { analyzer, type Analyzer } from './analysis';
import type { CompletionInput } from './field-values';
import type { ResolvedField } from './mapping';

export interface CompletionEntry {
  key: number;
  input: string;
  weight: number;
  /** Matched at the input's start, not at a later word. */
  atStart: boolean;
}

export class CompletionIndex {
  readonly analyze: Analyzer;
  readonly analyzeQuery: Analyzer;
  private readonly forms = new SearchableMap<CompletionEntry[]>();
  private readonly formsOf = new Map<number, string[]>();

  constructor(readonly field: ResolvedField) {
    this.analyze = analyzer(field.analyzer);
    this.analyzeQuery = analyzer(field.searchAnalyzer);
  }

  add(key: number, inputs: CompletionInput[]): void {
    const added: string[] = [];
    for (const { input, weight } of inputs) {
      const words = this.analyze(input);
      words.forEach((_, i) => {
        const form = words.slice(i).join(' ');
        this.forms.update(form, (entries: CompletionEntry[] = []) => [
          ...entries,
          { key, input, weight, atStart: i === 0 },
        ]);
        added.push(form);
      });
    }
    if (added.length) this.formsOf.set(key, added);
  }

  remove(key: number): void {
    for (const form of new Set(this.formsOf.get(key) ?? [])) {
      const left = (this.forms.get(form) ?? []).filter((entry) => entry.key !== key);
      if (left.length) this.forms.set(form, left);
      else this.forms.delete(form);
    }
    this.formsOf.delete(key);
  }

  /** Every analyzed form starting with `prefix`, with its entries. */
  *startingWith(prefix: string): Generator<[string, CompletionEntry[]]> {
    yield* this.forms.atPrefix(prefix).entries();
  }
}
