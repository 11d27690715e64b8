/** Importing this module registers every renderer. */
import './terraform.js';
