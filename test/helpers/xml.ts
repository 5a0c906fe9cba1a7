/** Parses `.xml` answers with a strict XML 1.0 parser (saxes): any well-formedness error throws. */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  name: string;
  /** The element's own text (references decoded). */
  text: string;
  children: XmlElement[];
}

/** The document's root element; throws on anything that is not well-formed XML 1.0. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false });
  const root: XmlElement = { name: '#document', text: '', children: [] };
  const open: XmlElement[] = [root];
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, text: '', children: [] };
    open.at(-1)!.children.push(element);
    open.push(element);
  });
  parser.on('text', (t) => {
    open.at(-1)!.text += t;
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.write(text).close();
  if (failure) throw failure;
  if (root.children.length !== 1) throw new Error(`expected one root element, got ${root.children.length}`);
  return root.children[0]!;
}

/** Every element named `name` under `element`, in document order. */
export function elementsNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...elementsNamed(child, name)]);
}
