// Labelled form controls for the dashboard's forms: every control has a <label>, a hint is tied to it
// with aria-describedby, and a refused form shows its messages in one alert.
import type { Child } from 'hono/jsx';

/** What was typed, by field name, so a refused form comes back filled in. */
export type Draft = Record<string, string>;

/** A form the server refused, shown again with what was typed and why. */
export interface Refused {
  form: string;
  messages: string[];
  draft: Draft;
}

/** The typed values and messages for one form of a page with several, when it is the refused one. */
export function refusedFor(
  refused: Refused | null,
  form: string,
): { draft: Draft | undefined; messages: string[] | undefined } {
  return refused?.form === form
    ? { draft: refused.draft, messages: refused.messages }
    : { draft: undefined, messages: undefined };
}

interface FieldProps {
  /** Unique in the page: forms that share field names give each its own prefix. */
  id: string;
  name: string;
  label: string;
  draft: Draft | undefined;
  value?: string;
  hint?: string;
  required?: boolean;
  maxlength?: number;
  type?: string;
  placeholder?: string;
  wide?: boolean;
}

function hintId(props: { id: string; hint?: string | undefined }): string | undefined {
  return props.hint ? `${props.id}-hint` : undefined;
}

function Hint(props: { id: string; hint?: string | undefined }) {
  return props.hint ? (
    <div class="hint" id={`${props.id}-hint`}>
      {props.hint}
    </div>
  ) : null;
}

/** Attributes of an <input> beyond its id, name and value. */
export type InputAttributes = Record<string, string | number | boolean | undefined>;

/**
 * The markup every text input of the dashboard shares: label, input, hint. Each form keeps its own
 * way of refilling and flagging a refused field, passed in as the value, `attrs` (which win over the
 * hint's aria-describedby) and `children` (rendered last, e.g. the field's own error).
 */
export function LabelledInput(props: {
  field: { id: string; name: string; label: string; hint?: string | undefined };
  value: string;
  attrs?: InputAttributes;
  children?: Child;
}) {
  const { id, name, label } = props.field;
  return (
    <div>
      <label for={id}>{label}</label>
      <input id={id} name={name} value={props.value} aria-describedby={hintId(props.field)} {...props.attrs} />
      <Hint id={id} hint={props.field.hint} />
      {props.children}
    </div>
  );
}

export function Field(props: FieldProps) {
  return (
    <LabelledInput
      field={props}
      value={props.draft?.[props.name] ?? props.value ?? ''}
      attrs={{
        type: props.type ?? 'text',
        required: props.required,
        maxlength: props.maxlength,
        placeholder: props.placeholder,
        style: props.wide ? 'width:100%' : undefined,
      }}
    />
  );
}

export function TextArea(props: Omit<FieldProps, 'type' | 'placeholder'> & { rows?: number }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name={props.name}
        rows={props.rows ?? 3}
        required={props.required}
        maxlength={props.maxlength}
        aria-describedby={hintId(props)}
        style="width:100%"
      >
        {props.draft?.[props.name] ?? props.value ?? ''}
      </textarea>
      <Hint id={props.id} hint={props.hint} />
    </div>
  );
}

export function Select(props: {
  id: string;
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  draft: Draft | undefined;
  value?: string;
  blank?: string;
}) {
  const chosen = props.draft?.[props.name] ?? props.value ?? '';
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name}>
        {props.blank !== undefined ? <option value="">{props.blank}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === chosen}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A refused form's messages, announced at once; each names a field as the form labels it. */
export function FormErrors(props: { messages: string[] | undefined }) {
  if (!props.messages?.length) return null;
  return (
    <div class="flash error" role="alert">
      <strong>Not saved:</strong>
      <ul>
        {props.messages.map((m) => (
          <li>{m}</li>
        ))}
      </ul>
    </div>
  );
}

/** The hidden CSRF field every dashboard form posts. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
