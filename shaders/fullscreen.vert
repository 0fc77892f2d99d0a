#version 300 es
// One triangle that covers the whole viewport, made from gl_VertexID alone (no vertex buffer):
// vertices (0,0), (2,0), (0,2) in uv, i.e. (-1,-1), (3,-1), (-1,3) in clip space.
out vec2 v_uv;  // (0,0) at the first texel row/column of the target, (1,1) at the last

void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  v_uv = p;
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
