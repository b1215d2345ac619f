/** A gate readers wait on while it is shut: `promise` settles when it opens again. */
export class Gate {
  readonly promise: Promise<void>;
  readonly open: () => void;

  constructor() {
    let open = (): void => undefined;
    this.promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.open = open;
  }
}
