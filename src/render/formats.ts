/** Importing this module registers every renderer. */
import './ansible.js';
import './heat.js';
import './terraform.js';
