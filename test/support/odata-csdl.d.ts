/** The part of odata-csdl (the OASIS TC's CSDL XML to CSDL JSON converter) the tests use. */
declare module 'odata-csdl' {
  export function xml2json(xml: string, options?: { strict?: boolean; lineNumbers?: boolean; annotations?: boolean }): unknown;
}
