// A JavaScript action of a nanoflow, written in TypeScript: compiled for the browser at start-up.
interface Item {
  readonly guid: string;
  get(member: string): unknown;
}

export default function shout(args: { Text: string; Item: Item }): string {
  const name = String(args.Item.get('Name') ?? '');
  return `${args.Text.toUpperCase()}! (${name.length} letters)`;
}
