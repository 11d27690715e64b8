/** Importing this module registers every renderer. */
import './ansible.js';
import './terraform.js';
