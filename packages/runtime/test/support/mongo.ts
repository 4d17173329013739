/** `uri` with its path set to `db` (the query, if any, kept): `mongodb://h:1/?x=1` → `mongodb://h:1/db?x=1`. */
export function uriWithDatabase(uri: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${db}${m[3] ?? ''}`;
}
