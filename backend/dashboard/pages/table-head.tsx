/** A table's column headers; a `#`-prefixed label is a right-aligned number column. */
export function TableHead(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((label) =>
          label.startsWith('#') ? (
            <th scope="col" class="num">
              {label.slice(1) || '#'}
            </th>
          ) : (
            <th scope="col">{label}</th>
          ),
        )}
      </tr>
    </thead>
  );
}
