/* SPDX-License-Identifier: MIT */
/* The catalog a new store starts with: the four plans, the services and their prices,
 * top-up packages. Names in en, ja, zh-TW, ko, es. Editable afterwards through the API. */
#include "plans_internal.h"

const vg_plan vg__seed_plans[] = {
    {VG_PLAN_VERSION, "demo", 0, 0, 0, 2, 0, 720, 30, 1, 0, 0, 0, 1,
     {"Demo", "デモ", "體驗版", "데모", "Demo"}},
    {VG_PLAN_VERSION, "starter", 1, 299, 25, 0, 0, 1080, 30, 0, 0, 1, 1, 1,
     {"Starter", "スターター", "入門版", "스타터", "Inicial"}},
    {VG_PLAN_VERSION, "pro", 2, 599, 60, 0, 10, 2160, 30, 0, 1, 1, 1, 1,
     {"Pro", "プロ", "專業版", "프로", "Pro"}},
    {VG_PLAN_VERSION, "pro_plus", 3, 999, 125, 0, 20, 2160, 60, 0, 1, 1, 1, 1,
     {"Pro+", "プロ+", "專業增強版", "프로+", "Pro+"}},
};
const size_t vg__seed_plan_count = sizeof vg__seed_plans / sizeof vg__seed_plans[0];

/* name, kind, credits, API cost (micro-USD), min plan, subscribers only, resolution,
 * max duration, provider, internal, active, display names */
const vg_service vg__seed_services[] = {
    {VG_SERVICE_VERSION, "video_720p", VG_SERVICE_VIDEO, 5, 50000, "demo", 0, 720, 8,
     "leonardo", 0, 1,
     {"VidGo Video 720p", "VidGo 動画 720p", "VidGo 影片 720p", "VidGo 동영상 720p",
      "VidGo Vídeo 720p"}},
    {VG_SERVICE_VERSION, "video_1080p", VG_SERVICE_VIDEO, 8, 80000, "starter", 0, 1080, 8,
     "leonardo", 0, 1,
     {"VidGo Video 1080p", "VidGo 動画 1080p", "VidGo 影片 1080p", "VidGo 동영상 1080p",
      "VidGo Vídeo 1080p"}},
    {VG_SERVICE_VERSION, "video_4k", VG_SERVICE_VIDEO, 12, 120000, "pro", 0, 2160, 8,
     "leonardo", 0, 1,
     {"VidGo Video 4K", "VidGo 動画 4K", "VidGo 影片 4K", "VidGo 동영상 4K", "VidGo Vídeo 4K"}},
    {VG_SERVICE_VERSION, "image_512", VG_SERVICE_IMAGE, 2, 15000, "demo", 0, 512, 0,
     "leonardo", 0, 1,
     {"VidGo Image", "VidGo 画像", "VidGo 圖片", "VidGo 이미지", "VidGo Imagen"}},
    {VG_SERVICE_VERSION, "image_1024", VG_SERVICE_IMAGE, 3, 25000, "demo", 0, 1024, 0,
     "leonardo", 0, 1,
     {"VidGo Image HD", "VidGo 画像 HD", "VidGo 高畫質圖片", "VidGo HD 이미지",
      "VidGo Imagen HD"}},
    {VG_SERVICE_VERSION, "style_effects", VG_SERVICE_EFFECT, 8, 150000, "starter", 1, 0, 0,
     "goenhance", 0, 1,
     {"VidGo Style Effects", "VidGo スタイルエフェクト", "VidGo 風格特效", "VidGo 스타일 효과",
      "VidGo Efectos de estilo"}},
    {VG_SERVICE_VERSION, "hd_enhance", VG_SERVICE_EFFECT, 10, 200000, "starter", 1, 2160, 0,
     "goenhance", 0, 1,
     {"VidGo HD Enhance", "VidGo HD 高画質化", "VidGo 高畫質增強", "VidGo HD 향상",
      "VidGo Mejora HD"}},
    {VG_SERVICE_VERSION, "video_pro", VG_SERVICE_EFFECT, 12, 250000, "pro", 1, 0, 0,
     "goenhance", 0, 1,
     {"VidGo Video Pro", "VidGo ビデオ Pro", "VidGo 影片 Pro", "VidGo 비디오 Pro",
      "VidGo Vídeo Pro"}},
    {VG_SERVICE_VERSION, "runway_720p", VG_SERVICE_VIDEO, 15, 500000, "demo", 0, 720, 8,
     "runway", 1, 1,
     {"VidGo Video 720p", "VidGo 動画 720p", "VidGo 影片 720p", "VidGo 동영상 720p",
      "VidGo Vídeo 720p"}},
};
const size_t vg__seed_service_count = sizeof vg__seed_services / sizeof vg__seed_services[0];

const vg_package vg__seed_packages[] = {
    {VG_PACKAGE_VERSION, "credits_20", 20, 99, 1,
     {"20 credits", "20 クレジット", "20 點", "20 크레딧", "20 créditos"}},
    {VG_PACKAGE_VERSION, "credits_50", 50, 229, 1,
     {"50 credits", "50 クレジット", "50 點", "50 크레딧", "50 créditos"}},
    {VG_PACKAGE_VERSION, "credits_120", 120, 499, 1,
     {"120 credits", "120 クレジット", "120 點", "120 크레딧", "120 créditos"}},
    {VG_PACKAGE_VERSION, "credits_300", 300, 1099, 1,
     {"300 credits", "300 クレジット", "300 點", "300 크레딧", "300 créditos"}},
};
const size_t vg__seed_package_count = sizeof vg__seed_packages / sizeof vg__seed_packages[0];
