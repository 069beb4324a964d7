#include "kernels/attention.h"

#include <vector>

#include <dnnl.h>

#include "kernels/backend.h"
#include "kernels/cpu/philox.h"
#include "kernels/cpu/softmax.h"

namespace lt::kernels {

namespace {

struct Dims {
  int64_t B, Tq, Tk, H, dh, E;  // E = H·dh (row stride of q, k, v, o)
};

// Mask row for (b, h, i), or nullptr.
const float* maskRow(const Tensor& mask, const Dims& d, int64_t b, int64_t h, int64_t i) {
  if (!mask.defined()) return nullptr;
  const int64_t Bm = mask.dim(0), Hm = mask.dim(1), Tqm = mask.dim(2);
  const int64_t row = ((Bm == 1 ? 0 : b) * Hm + (Hm == 1 ? 0 : h)) * Tqm + (Tqm == 1 ? 0 : i);
  return mask.data<float>() + row * d.Tk;
}

Dims dimsOf(const Tensor& q, const Tensor& k, int heads) {
  Dims d;
  d.B = q.dim(0);
  d.Tq = q.dim(1);
  d.Tk = k.dim(1);
  d.E = q.dim(2);
  d.H = heads;
  d.dh = d.E / heads;
  return d;
}

// Runs fn(t, qo, ko, b, h, scratch) for every (batch, head) task t = b·H + h in
// parallel: qo / ko are the offsets of the head's first column in q / k rows,
// scratch a per-thread buffer of `buffers` [Tq, Tk] matrices. oneDNN's sgemm inside runs on
// one thread.
template <class F>
void forEachHead(const Dims& d, int buffers, F&& fn) {
  const int64_t tasks = d.Tq == 0 || d.Tk == 0 ? 0 : d.B * d.H;
#pragma omp parallel if (tasks > 1)
  {
    std::vector<float> scratch(size_t(buffers * d.Tq * d.Tk));
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t b = t / d.H, h = t % d.H;
      fn(t, b * d.Tq * d.E + h * d.dh, b * d.Tk * d.E + h * d.dh, b, h, scratch.data());
    }
  }
}

}  // namespace

void attentionForward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                      int heads, float scale, Tensor& o, Tensor& p, const AttentionDropout& drop) {
  const Dims d = dimsOf(q, k, heads);
  const float* Q = q.data<float>();
  const float* K = k.data<float>();
  const float* V = v.data<float>();
  float* O = o.data<float>();
  float* P = p.data<float>();
  if (d.Tk == 0) {  // no keys: every row attends nowhere (zeros, as a fully masked row)
    o.zero();
    return;
  }
  const int64_t n = d.Tq * d.Tk;
  forEachHead(d, 1, [&](int64_t t, int64_t qo, int64_t ko, int64_t b, int64_t h, float* s) {
    // S = scale · Q Kᵀ [Tq, Tk], straight from the token-major rows (stride E).
    dnnl_sgemm('N', 'T', d.Tq, d.Tk, d.dh, scale, Q + qo, d.E, K + ko, d.E, 0.f, s, d.Tk);
    float* pt = P + t * d.Tq * d.Tk;  // P [Tq, Tk] of this head
    for (int64_t i = 0; i < d.Tq; ++i)
      cpu::softmaxRowF32(s + i * d.Tk, maskRow(mask, d, b, h, i), pt + i * d.Tk, d.Tk);
    // O = P V (P dropped out into the scores' buffer first), into the head's columns of o.
    const float* pv = pt;
    if (drop.rate > 0.f) {
      cpu::dropoutSpan(t * n, n, pt, nullptr, s, drop.rate, drop.seed, drop.stream);
      pv = s;
    }
    dnnl_sgemm('N', 'N', d.Tq, d.dh, d.Tk, 1.f, pv, d.Tk, V + ko, d.E, 0.f, O + qo, d.E);
  });
  countMacs(2 * d.B * d.H * d.Tq * d.Tk * d.dh);
}

void attentionBackward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& p,
                       const Tensor& dO, int heads, float scale, Tensor* dq, bool accQ,
                       Tensor* dk, bool accK, Tensor* dv, bool accV,
                       const AttentionDropout& drop) {
  const Dims d = dimsOf(q, k, heads);
  const float* Q = q.data<float>();
  const float* K = k.data<float>();
  const float* V = v.data<float>();
  const float* P = p.data<float>();
  const float* G = dO.data<float>();
  if (d.Tk == 0 || d.Tq == 0) {  // nothing flows: the written gradients are zero
    for (auto [g, acc] : {std::pair{dq, accQ}, std::pair{dk, accK}, std::pair{dv, accV}})
      if (g && !acc) g->zero();
    return;
  }
  const int64_t n = d.Tq * d.Tk;
  const bool dropping = drop.rate > 0.f;
  forEachHead(d, dropping ? 2 : 1, [&](int64_t t, int64_t qo, int64_t ko, int64_t, int64_t, float* ds) {
    const float* pt = P + t * n;
    // dP = dO Vᵀ [Tq, Tk] (through the dropout's mask when there is one); then
    // dS = scale · P ∘ (dP - rowsum(P ∘ dP)) in place.
    dnnl_sgemm('N', 'T', d.Tq, d.Tk, d.dh, 1.f, G + qo, d.E, V + ko, d.E, 0.f, ds, d.Tk);
    if (dropping) cpu::dropoutSpan(t * n, n, ds, nullptr, ds, drop.rate, drop.seed, drop.stream);
    for (int64_t i = 0; i < d.Tq; ++i) {
      float* r = ds + i * d.Tk;
      const float* pr = pt + i * d.Tk;
      float dot = 0.f;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < d.Tk; ++j) dot += pr[j] * r[j];
#pragma omp simd
      for (int64_t j = 0; j < d.Tk; ++j) r[j] = pr[j] * (r[j] - dot) * scale;
    }
    if (dq)  // dQ (+)= dS K
      dnnl_sgemm('N', 'N', d.Tq, d.dh, d.Tk, 1.f, ds, d.Tk, K + ko, d.E, accQ ? 1.f : 0.f,
                 dq->data<float>() + qo, d.E);
    if (dk)  // dK (+)= dSᵀ Q
      dnnl_sgemm('T', 'N', d.Tk, d.dh, d.Tq, 1.f, ds, d.Tk, Q + qo, d.E, accK ? 1.f : 0.f,
                 dk->data<float>() + ko, d.E);
    if (dv) {  // dV (+)= P'ᵀ dO with P' the dropped-out P the forward multiplied by
      const float* pv = pt;
      if (dropping) {
        cpu::dropoutSpan(t * n, n, pt, nullptr, ds + n, drop.rate, drop.seed, drop.stream);
        pv = ds + n;
      }
      dnnl_sgemm('T', 'N', d.Tk, d.dh, d.Tq, 1.f, pv, d.Tk, G + qo, d.E, accV ? 1.f : 0.f,
                 dv->data<float>() + ko, d.E);
    }
  });
}

}  // namespace lt::kernels
