// Cursor-paged lists: the page sizes offered, their select, and the links between pages.

export const PAGE_SIZES = [10, 50, 200] as const;

/** The page size asked for, if it is one offered; 50 otherwise. */
export function pageSizeOf(raw: string | undefined): number {
  return PAGE_SIZES.find((n) => String(n) === raw) ?? PAGE_SIZES[1];
}

export function PageSizeSelect(props: { id: string; selected: number; label: string }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name="limit">
        {PAGE_SIZES.map((n) => (
          <option value={String(n)} selected={props.selected === n}>
            {String(n)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "First page" once past it, "Next page" while there is one. */
export function PageLinks(props: { first: string | null; next: string | null }) {
  return (
    <nav aria-label="Pages" class="actions">
      {props.first ? <a href={props.first}>First page</a> : null}
      {props.next ? (
        <a href={props.next} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}
