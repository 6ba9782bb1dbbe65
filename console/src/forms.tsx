// Form pieces shared by the pages: a labelled field, and the error line a
// failed request leaves (an API error names its field when it has one).
import type { ComponentChildren } from "preact";
import { ApiError } from "./api";

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onInput: (v: string) => void;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  error?: string;
  inputmode?: "numeric" | "text" | "url" | "email";
}) {
  const id = "f-" + props.name;
  return (
    <p class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? id + "-error" : props.hint ? id + "-hint" : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && !props.error && (
        <small id={id + "-hint"} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={id + "-error"} class="error" role="alert">
          {props.error}
        </small>
      )}
    </p>
  );
}

export function Check(props: {
  name: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  children: ComponentChildren;
}) {
  return (
    <p class="check">
      <label>
        <input
          type="checkbox"
          name={props.name}
          checked={props.checked}
          onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
        />{" "}
        {props.children}
      </label>
    </p>
  );
}

// What went wrong, for the form as a whole and per field.
export interface Problem {
  message: string;
  field?: string;
}

export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return { message: e.message, field: e.field };
  return { message: "The server could not be reached; try again." };
}

export function FormError(props: { problem: Problem | null }) {
  if (!props.problem || props.problem.field) return null;
  return (
    <p class="error" role="alert">
      {props.problem.message}
    </p>
  );
}

export function fieldError(p: Problem | null, name: string): string | undefined {
  return p && p.field === name ? p.message : undefined;
}
