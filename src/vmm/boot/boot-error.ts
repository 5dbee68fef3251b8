/** A kernel, initrd or disk that cannot be booted, with a message meant for the user. */
export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}
