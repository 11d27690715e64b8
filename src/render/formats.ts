/** Importing this module registers every renderer. */
