/**
 * Every entity of a collection, a page at a time (`$top` / `$skip`, client-driven paging as SAP's
 * APIs expect): pages are asked for until one comes back short. `page` must order the collection
 * (`$orderby`) so that pages neither skip nor repeat entities.
 */
export async function readAllPages<T>(
  pageSize: number,
  page: (query: { $top: string; $skip: string }) => Promise<{ results: T[] } | undefined>,
): Promise<T[]> {
  const found: T[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const results = (await page({ $top: String(pageSize), $skip: String(skip) }))?.results ?? [];
    found.push(...results);
    if (results.length < pageSize) return found;
  }
}
