/**
 * The e-mail templates (./templates, one `.html` and one `.txt` a message) rendered with mustache: HTML-escaped in
 * the HTML part (a product named `<script>` is shown, never run), as written in the plain-text part. The files
 * are read beside this module: in a deployed function the bundle's folder, where the CDK copies ./templates
 * (lib/events.ts names it among the target's files), so this module sits at the context's root like the folder.
 */
import { readFileSync } from 'node:fs';
import Mustache from 'mustache';
import type { TemplateName, Templates } from './ports';

const read = (name: TemplateName, kind: 'html' | 'txt') =>
  readFileSync(new URL(`./templates/${name}.${kind}`, import.meta.url), 'utf8');

const asWritten = (value: unknown) => String(value);

export function fileTemplates(): Templates {
  const loaded = new Map<TemplateName, { html: string; text: string }>();
  return {
    render(name, view) {
      let template = loaded.get(name);
      if (!template) loaded.set(name, (template = { html: read(name, 'html'), text: read(name, 'txt') }));
      return {
        html: Mustache.render(template.html, view),
        text: Mustache.render(template.text, view, {}, { escape: asWritten }),
      };
    },
  };
}
