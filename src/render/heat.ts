/**
 * `downpour render --format heat`: a HOT template with an environment file for the values chosen
 * at the destination, the upload step for the data Heat cannot carry, and a README.
 */
import { ASSEMBLE_SCRIPT, assembleScript } from './data-script.js';
import type { RenderModel } from './model.js';
import { registerRenderer, type RenderedFile } from './render.js';
import { readmeText } from './heat/readme.js';
import { finishScript, uploadScript } from './heat/scripts.js';
import { buildHeatTemplate } from './heat/template.js';
import { environmentText, templateText } from './heat/text.js';

export function renderHeat(model: RenderModel): RenderedFile[] {
  const t = buildHeatTemplate(model);
  const files: RenderedFile[] = [
    { path: 'template.yaml', content: templateText(model, t) },
    { path: 'environment.yaml', content: environmentText(model, t.parameters) },
    { path: 'README.md', content: readmeText(model, t) },
  ];
  if (t.uploads.length)
    files.push({ path: 'upload-data.sh', content: uploadScript(model, t.uploads), mode: 0o755 });
  const assemble = assembleScript(model);
  if (assemble) files.push({ path: ASSEMBLE_SCRIPT, content: assemble, mode: 0o755 });
  const finish = finishScript(model, t.finish);
  if (finish) files.push({ path: 'finish.sh', content: finish, mode: 0o755 });
  return files;
}

registerRenderer('heat', renderHeat);
