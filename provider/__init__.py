"""albform.provider: the Avi side — generated schema table, REST client (requests +
tenacity), resource CRUD implementing the engine's provider protocol, and the controller
emulator that is the embedded default."""
