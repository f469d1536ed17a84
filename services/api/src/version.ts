/** The api's version, as /v1 and /openapi.json report it. */
export const API_VERSION = '0.1.0'
