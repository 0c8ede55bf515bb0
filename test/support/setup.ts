// Every module a test generates must be exactly what prettier prints.
import { setFormatVerification } from "../../compiler/codegen/format.ts";

setFormatVerification(true);
