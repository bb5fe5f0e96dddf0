// Writes the land outlines the admin dashboard's map draws (www/admin/land.js), from Natural
// Earth's 1:110m land (npm world-atlas, pinned), as one SVG path on the map's equirectangular
// 720 × 360 grid. Run by `make worker`; the output is not kept in git.
import { readFileSync, writeFileSync } from 'node:fs';
import { feature } from 'topojson-client';

const [out = 'www/admin/land.js'] = process.argv.slice(2);
const W = 720;
const H = 360;
const topology = JSON.parse(readFileSync(new URL('../node_modules/world-atlas/land-110m.json', import.meta.url)));
const land = feature(topology, topology.objects.land);

const point = ([lon, lat]) => `${(((lon + 180) / 360) * W).toFixed(1)} ${(((90 - lat) / 180) * H).toFixed(1)}`;
/** A closed ring's path, dropping points that round to the one before. */
function path(coords) {
  const pts = coords.map(point).filter((p, i, all) => i === 0 || p !== all[i - 1]);
  return pts.length < 3 ? '' : `M${pts.join('L')}Z`;
}
/** The ring with continuous longitudes: a step across the antimeridian goes on past ±180. */
function unwrap(coords) {
  const out = [coords[0]];
  let shift = 0;
  for (const [lon, lat] of coords.slice(1)) {
    const prev = out.at(-1)[0];
    if (lon + shift - prev > 180) shift -= 360;
    else if (prev - (lon + shift) > 180) shift += 360;
    out.push([lon + shift, lat]);
  }
  return out;
}
/** A ring that crosses the antimeridian (Chukotka, Fiji) is drawn on both sides of the map,
 * each copy cut by the map's edge; one around a pole (Antarctica) as it is. */
function ring(coords) {
  const u = unwrap(coords);
  if (Math.abs(u.at(-1)[0] - u[0][0]) > 1) return path(coords);
  const lons = u.map(([lon]) => lon);
  const moved = (by) => path(u.map(([lon, lat]) => [lon + by, lat]));
  return path(u) + (Math.min(...lons) < -180 ? moved(360) : '') + (Math.max(...lons) > 180 ? moved(-360) : '');
}
const polygons = land.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates));
const d = polygons.flatMap((rings) => rings.map(ring)).join('');
writeFileSync(out, `// Made by scripts/land.mjs from world-atlas's land-110m.json (Natural Earth, public domain).\nexport const LAND = '${d}';\n`);
console.log(`land: ${polygons.length} polygons, ${d.length} characters → ${out}`);
