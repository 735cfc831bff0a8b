/** What a confirmation asks: the dialog's heading, its text and the button that goes ahead. */
export interface ConfirmRequest {
  title: string;
  text: string;
  confirmLabel: string;
  /** The action cannot be taken back easily (block, delete): the button says so in red. */
  danger?: boolean;
}

/** Asks a person to confirm; true when they did. */
export type Confirm = (request: ConfirmRequest) => Promise<boolean>;

/** What ConfirmDialog exposes to the page holding it (a template ref). */
export interface ConfirmDialogHandle {
  ask: Confirm;
}
