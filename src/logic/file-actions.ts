import type { MxObject } from '../objects/mx-object.js';
import type { LoadedAction } from './engine/host.js';
import type { ContextFactory } from './ts-actions.js';

/**
 * Built-in actions a microflow calls (as it calls a TypeScript action) to work
 * with file contents, in place of Mendix's Java actions of the Community
 * Commons module. An app's own action of the same name wins.
 *
 * - `System.StoreStringAsFile(File, Text, Name)`: the text (UTF-8) becomes the contents; an empty Name keeps the object's.
 * - `System.ReadFileAsString(File)` → String: the contents as UTF-8 text (empty when none).
 * - `System.CopyFileContents(Source, Target)`: the target gets a copy of the source's contents and name.
 */
export function fileActions(contextFor: ContextFactory): LoadedAction[] {
  const fd = 'System.FileDocument';
  return [
    {
      name: 'System.StoreStringAsFile',
      parameters: { File: fd, Text: 'String', Name: 'String' },
      async run(args, caller) {
        const name = typeof args.Name === 'string' && args.Name !== '' ? args.Name : undefined;
        await contextFor(caller).writeFile(args.File as MxObject, typeof args.Text === 'string' ? args.Text : '', name);
        return null;
      },
    },
    {
      name: 'System.ReadFileAsString',
      parameters: { File: fd },
      returns: 'String',
      async run(args, caller) {
        const bytes = await contextFor(caller).readFileBytes(args.File as MxObject);
        return bytes ? bytes.toString('utf8') : '';
      },
    },
    {
      name: 'System.CopyFileContents',
      parameters: { Source: fd, Target: fd },
      async run(args, caller) {
        const ctx = contextFor(caller);
        const source = args.Source as MxObject;
        const contents = await ctx.readFile(source);
        if (!contents) throw new Error('the source file document has no contents');
        const name = source.values.get('Name');
        await ctx.writeFile(args.Target as MxObject, contents, typeof name === 'string' ? name : undefined);
        return null;
      },
    },
  ];
}
