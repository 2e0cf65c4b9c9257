// The one error for a request this extension refuses by itself, before asking Zoho: a job id that
// is not one, a result not ready yet, an export file another export is writing. Its message is
// for the user as it stands (what is wrong and what to do), so whatever shows errors shows it like
// any other (commands/showError.ts); unlike a ZohoError it cost no API call and points at no step
// of a Zoho request.
export class LocalRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalRefusal';
  }
}
