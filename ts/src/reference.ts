// ferrobt/reference: the pure-TypeScript reference backend, the oracle of the parity tests (needs the
// optional package hyparquet).

export { ReferenceSource } from "./data/ReferenceSource.js";
