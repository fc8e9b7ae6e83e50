// validateSchema runs a validation document (or a bare schema) sent over HTTP on a fresh
// in-memory engine and returns the same findings `accord validate --json` prints.
import { validateDocuments, type ValidationInput } from "../../validate/validate-documents.js";

export function createValidateSchema() {
  return {
    execute(input: ValidationInput) {
      return validateDocuments([input], {
        // NOTE: over HTTP a document must carry its schema inline: reading `schemaFile` would
        // let a caller read files from the server's disk.
        readSchemaFile: async (path) => {
          throw new Error(`schemaFile (${path}) is not available over HTTP: send the schema inline with schema:`);
        },
      });
    },
  };
}
