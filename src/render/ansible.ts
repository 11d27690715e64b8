/**
 * The Ansible format: a playbook for the openstack.cloud 2.x collection that recreates the
 * bundle's resources on localhost, with its variables, the collection requirement, the data
 * assembly script and a README. Registered as `ansible`.
 */
import { ASSEMBLE_SCRIPT, assembleScript } from './data-script.js';
import type { RenderModel } from './model.js';
import { registerRenderer, type RenderedFile } from './render.js';
import { renderPlaybook, VARS_FILE } from './ansible/playbook.js';
import { readme, requirementsYaml, varsYaml } from './ansible/files.js';

export function renderAnsible(model: RenderModel): RenderedFile[] {
  const playbook = renderPlaybook(model);
  const assemble = assembleScript(model);
  return [
    { path: 'playbook.yml', content: playbook.text },
    { path: VARS_FILE, content: varsYaml(model, playbook.ctx) },
    { path: 'requirements.yml', content: requirementsYaml(playbook.ctx) },
    { path: 'README.md', content: readme(model, playbook) },
    ...(assemble ? [{ path: ASSEMBLE_SCRIPT, content: assemble, mode: 0o755 }] : []),
  ];
}

registerRenderer('ansible', renderAnsible);
